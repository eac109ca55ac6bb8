// Status page of the foundation: reads the API and approves tasks. The full web app replaces it.
const statusNames = {
  filed: '已申报', prechecking: '预审中', awaiting_correction: '待补正', in_review: '审查中', special_procedure: '特别程序',
  awaiting_payment: '待缴费', issuing: '制证中', delivering: '送达中', completed: '已办结', not_accepted: '不予受理',
  withdrawn: '已撤回', voided: '已作废', closed: '已归档',
};
const actionNames = { accept: '受理', approve: '同意', handover: '发证', answer: '回访答复' };

async function getJson(url, options) {
  const res = await fetch(url, options);
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(body && body.detail ? body.detail : `HTTP ${res.status}`);
  return body;
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

async function loadItems() {
  const { items } = await getJson('/api/implementations');
  const body = document.getElementById('items-body');
  body.replaceChildren(...items.map((i) => {
    const tr = document.createElement('tr');
    tr.append(cell(i.code), cell(i.itemName), cell(i.type), cell(i.departmentName));
    return tr;
  }));
}

async function loadCases() {
  const { cases } = await getJson('/api/cases?limit=20');
  document.getElementById('cases-body').replaceChildren(...cases.map((c) => {
    const tr = document.createElement('tr');
    tr.append(cell(c.caseNo), cell(c.itemName), cell(statusNames[c.status] || c.status), cell(new Date(c.filedAt).toLocaleString('zh-CN')));
    return tr;
  }));
}

async function loadInbox() {
  const staff = document.getElementById('staff').value.trim();
  const msg = document.getElementById('inbox-msg');
  msg.textContent = '加载中…';
  try {
    const { tasks } = await getJson('/api/tasks', { headers: { 'x-staff-user': staff } });
    document.getElementById('inbox-body').replaceChildren(...tasks.map((t) => {
      const tr = document.createElement('tr');
      const actions = document.createElement('td');
      // The page offers each task's positive action; the full web app offers every allowed one.
      const action = t.actions.find((a) => actionNames[a]);
      if (action) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = actionNames[action];
        button.addEventListener('click', () => complete(staff, t.taskId, action, actionNames[action]));
        actions.append(button);
      }
      tr.append(cell(t.caseNo), cell(t.itemName), cell(t.stepName), actions);
      return tr;
    }));
    msg.textContent = `共 ${tasks.length} 件待办`;
  } catch (err) {
    msg.textContent = `无法加载待办：${err.message}`;
  }
}

async function complete(staff, taskId, action, opinion) {
  const msg = document.getElementById('inbox-msg');
  msg.textContent = '提交中…';
  try {
    const r = await getJson(`/api/tasks/${encodeURIComponent(taskId)}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-staff-user': staff },
      body: JSON.stringify({ action, opinion }),
    });
    msg.textContent = `已办理，办件状态：${statusNames[r.status] || r.status}`;
    await Promise.all([loadInbox(), loadCases()]);
  } catch (err) {
    msg.textContent = `办理失败：${err.message}`;
  }
}

document.getElementById('load-inbox').addEventListener('click', loadInbox);
loadItems().catch((e) => { document.getElementById('items-body').textContent = `加载失败：${e.message}`; });
loadCases().catch(() => undefined);

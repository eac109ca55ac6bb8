/** The catalogue's items as a searchable, paged list with one action per item (the hall and the window). */
import { useState } from 'react';
import { get, qs } from '../api';
import { useI18n } from '../i18n';
import type { ItemSummary } from '../types';
import { deptName, useDepartments } from './departments';
import { ErrorBanner, Spinner, useLoad, usePaged } from './kit';

export function ItemList({ onPick, pickLabel }: { onPick: (item: ItemSummary) => void; pickLabel: string }) {
  const { t } = useI18n();
  const departments = useDepartments();
  const [q, setQ] = useState('');
  const [department, setDepartment] = useState('');
  const items = useLoad((signal) => get<{ items: ItemSummary[] }>(`/api/implementations${qs({ q, department })}`, { signal }), [q, department]);
  const { shown, pager } = usePaged(items.data?.items ?? [], 8);
  const withItems = departments.filter((d) => d.level !== 'province');
  return (
    <div>
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor="item-q">{t('搜索事项（名称或编码）', 'Search items (name or code)')}</label>
          <input id="item-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('如：身份证、个体工商户', 'e.g. ID card')} />
        </div>
        <div className="field">
          <label htmlFor="item-dept">{t('实施部门', 'Department')}</label>
          <select id="item-dept" value={department} onChange={(e) => setDepartment(e.target.value)}>
            <option value="">{t('全部部门', 'All departments')}</option>
            {withItems.map((d) => <option key={d.code} value={d.code}>{d.name}</option>)}
          </select>
        </div>
      </div>
      {items.loading && !items.data && <Spinner />}
      <ErrorBanner error={items.error} onRetry={items.reload} />
      <table className="table">
        <thead><tr><th scope="col">{t('事项名称', 'Item')}</th><th scope="col">{t('实施部门', 'Department')}</th><th scope="col">{t('办件类型', 'Type')}</th><th scope="col">{t('承诺时限', 'Promised')}</th><th scope="col"><span className="sr-only">{t('操作', 'Action')}</span></th></tr></thead>
        <tbody>
          {shown.map((it) => (
            <tr key={it.code}>
              <td><strong>{it.itemName}</strong><div className="muted mono">{it.code}</div></td>
              <td>{it.departmentName ?? deptName(departments, it.department)}</td>
              <td>{it.caseType === 'instant' ? t('即办件', 'Instant') : t('承诺件', 'Promised')}</td>
              <td>{it.promisedLimitDays ? t(`${it.promisedLimitDays} 个工作日`, `${it.promisedLimitDays} working days`) : t('当场办结', 'Same day')}</td>
              <td><button type="button" onClick={() => onPick(it)} aria-label={`${pickLabel} ${it.itemName}`}>{pickLabel}</button></td>
            </tr>
          ))}
          {items.data && items.data.items.length === 0 && <tr><td colSpan={5} className="muted">{t('没有符合条件的事项', 'No items match')}</td></tr>}
        </tbody>
      </table>
      {pager}
    </div>
  );
}


/**
 * An item's process drawn as SVG: the legal skeleton (file, pre-check … delivery) around the
 * review steps of the definition; parallel approval as stacked branches between a fork and a
 * join; each step with its department, role and time limit.
 */
import { useId } from 'react';
import { useI18n, type Lang } from '../i18n';
import { roleName } from '../names';
import type { Department, ProcessStep } from '../types';
import { deptName } from './departments';

const boxW = 164;
const boxH = 62;
const gapX = 34;
const gapY = 14;

interface Placed {
  key: string;
  x: number;
  y: number;
  w: number;
  h: number;
  title: string;
  lines: string[];
  kind: string;
}

interface Layout {
  w: number;
  h: number;
  boxes: Placed[];
  edges: [number, number, number, number][];
  frames: { x: number; y: number; w: number; h: number; label: string }[];
}

function stepLines(s: ProcessStep, depts: Department[], t: (zh: string, en: string) => string): string[] {
  const lines = [deptName(depts, s.department)];
  if (s.type === 'task') lines.push(`${roleName(s.role, t('zh', 'en') as Lang)}${s.limitDays ? ` · ${s.limitDays}${t('工作日', 'wd')}` : ''}`);
  if (s.type === 'department') lines.push(`${t('部门系统', 'dept. system')}${s.limitDays ? ` · ${s.limitDays}${t('工作日', 'wd')}` : ''}`);
  if (s.type === 'service') lines.push(t('接口核验', 'service'));
  if (s.when) lines.push(t('有条件', 'conditional'));
  return lines;
}

/** Lays out a sequence of steps from (x, y); returns its size and the placed parts. */
function layoutSeq(steps: ProcessStep[], x: number, y: number, depts: Department[], t: (zh: string, en: string) => string): Layout & { inY: number; outY: number } {
  const out: Layout = { w: 0, h: boxH, boxes: [], edges: [], frames: [] };
  let cx = x;
  let prevRight: [number, number] | null = null;
  let maxH = boxH;
  const parts: { left: [number, number]; right: [number, number] }[] = [];
  for (const s of steps) {
    if (s.type === 'parallel' && s.branches) {
      const forkX = cx;
      let by = y + 22;
      const branchOuts: { left: [number, number]; right: [number, number] }[] = [];
      let bw = 0;
      for (const b of s.branches) {
        const sub = layoutSeq(b.steps, forkX + 24, by + 16, depts, t);
        out.boxes.push(...sub.boxes);
        out.edges.push(...sub.edges);
        out.frames.push({ x: forkX + 14, y: by, w: sub.w + 20, h: sub.h + 22, label: b.name }, ...sub.frames);
        branchOuts.push({ left: [forkX + 24, sub.inY], right: [forkX + 24 + sub.w, sub.outY] });
        bw = Math.max(bw, sub.w + 40);
        by += sub.h + 22 + gapY;
      }
      const h = by - y;
      out.frames.push({ x: forkX, y, w: bw + 8, h: h + 2, label: `${s.name}（${t('并联', 'parallel')} · ${t('牵头', 'lead')} ${deptName(depts, s.lead)}）` });
      const midY = y + h / 2;
      if (prevRight) out.edges.push([prevRight[0], prevRight[1], forkX, midY]);
      for (const bo of branchOuts) {
        out.edges.push([forkX, midY, bo.left[0], bo.left[1]]);
        out.edges.push([bo.right[0], bo.right[1], forkX + bw + 8, midY]);
      }
      parts.push({ left: [forkX, midY], right: [forkX + bw + 8, midY] });
      prevRight = [forkX + bw + 8, midY];
      cx = forkX + bw + 8 + gapX;
      maxH = Math.max(maxH, h);
    } else {
      const box: Placed = { key: s.id, x: cx, y, w: boxW, h: boxH, title: s.name, lines: stepLines(s, depts, t), kind: s.type };
      out.boxes.push(box);
      if (prevRight) out.edges.push([prevRight[0], prevRight[1], cx, y + boxH / 2]);
      parts.push({ left: [cx, y + boxH / 2], right: [cx + boxW, y + boxH / 2] });
      prevRight = [cx + boxW, y + boxH / 2];
      cx += boxW + gapX;
    }
  }
  out.w = Math.max(0, cx - x - gapX);
  out.h = maxH;
  return { ...out, inY: parts[0]?.left[1] ?? y + boxH / 2, outY: parts[parts.length - 1]?.right[1] ?? y + boxH / 2 };
}

export function ProcessDiagram({ steps, departments, fee }: { steps: ProcessStep[]; departments: Department[]; fee: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const pre: ProcessStep[] = [
    { type: 'service', id: '_file', name: t('申报', 'File') },
    { type: 'service', id: '_precheck', name: t('预审受理', 'Pre-check') },
  ];
  const post: ProcessStep[] = [
    { type: 'service', id: '_decision', name: t('决定', 'Decision') },
    ...(fee ? [{ type: 'service' as const, id: '_fee', name: t('缴费', 'Fee') }] : []),
    { type: 'service', id: '_cert', name: t('制证送达', 'Certificate & delivery') },
    { type: 'service', id: '_done', name: t('办结评价', 'Complete & rate') },
  ];
  const layout = layoutSeq([...pre, ...steps, ...post], 10, 10, departments, t);
  const width = layout.w + 20;
  const height = layout.h + 20;
  const skeleton = new Set(['_file', '_precheck', '_decision', '_fee', '_cert', '_done']);
  return (
    // Scrolls sideways on a phone: focusable so a keyboard can scroll it too.
    <div className="diagram-wrap" tabIndex={0} role="group" aria-label={t('办理流程图（可左右滚动）', 'Process diagram (scrolls sideways)')}>
      <svg className="diagram" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-labelledby={`${id}-t`}>
        <title id={`${id}-t`}>{t('办理流程图', 'Process diagram')}: {steps.map((s) => s.name).join(' → ')}</title>
        <defs>
          <marker id={`${id}-arrow`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="arrow-head" />
          </marker>
        </defs>
        {layout.frames.map((f, i) => (
          <g key={`f${i}`}>
            <rect x={f.x} y={f.y} width={f.w} height={f.h} rx={8} className="frame" />
            <text x={f.x + 8} y={f.y + 14} className="frame-label">{f.label}</text>
          </g>
        ))}
        {layout.edges.map(([x1, y1, x2, y2], i) => (
          <path key={`e${i}`} d={`M ${x1} ${y1} C ${(x1 + x2) / 2} ${y1}, ${(x1 + x2) / 2} ${y2}, ${x2} ${y2}`} className="edge" markerEnd={`url(#${id}-arrow)`} />
        ))}
        {layout.boxes.map((b) => {
          const sk = skeleton.has(b.key);
          return (
            <g key={b.key}>
              <rect x={b.x} y={sk ? b.y + 12 : b.y} width={b.w} height={sk ? b.h - 24 : b.h} rx={sk ? 19 : 6} className={sk ? 'node-skeleton' : `node node-${b.kind}`} />
              <text x={b.x + b.w / 2} y={sk ? b.y + b.h / 2 + 5 : b.y + 18} textAnchor="middle" className="node-title">{b.title.length > 12 ? `${b.title.slice(0, 12)}…` : b.title}</text>
              {!sk && b.lines.map((l, i) => <text key={i} x={b.x + b.w / 2} y={b.y + 35 + i * 13} textAnchor="middle" className="node-line">{l.length > 15 ? `${l.slice(0, 15)}…` : l}</text>)}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

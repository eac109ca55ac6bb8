/**
 * The simulated ID-card reader (身份证读卡器) of the hall's kiosk: the same fictitious residents
 * the window's reader and the identity simulator know. Reading takes a moment, like a real one.
 */
import { useState } from 'react';
import { Spinner } from '../ui/kit';

export interface IdCard {
  name: string;
  idNumber: string;
}

export const sampleCards: IdCard[] = [
  { name: '张三', idNumber: '330106199003073514' },
  { name: '徐婷婷', idNumber: '330106199307223120' },
  { name: '刘建军', idNumber: '330106198503122410' },
];

export const maskId = (id: string) => `${id.slice(0, 6)}********${id.slice(-4)}`;

export function CardReader({ card, onRead }: { card: IdCard | null; onRead: (c: IdCard) => void }) {
  const [chosen, setChosen] = useState(0);
  const [reading, setReading] = useState(false);
  const read = async () => {
    setReading(true);
    await new Promise((r) => setTimeout(r, 500));
    onRead(sampleCards[chosen]);
    setReading(false);
  };
  return (
    <div className="kiosk-row">
      <label htmlFor="kiosk-card">读卡器上的身份证（模拟）</label>
      <select id="kiosk-card" value={chosen} onChange={(e) => setChosen(Number(e.target.value))}>
        {sampleCards.map((c, i) => <option key={c.idNumber} value={i}>{c.name}</option>)}
      </select>
      <button type="button" onClick={() => void read()} disabled={reading}>{reading ? <Spinner label="正在读卡…" /> : '读取身份证'}</button>
      {card && <span role="status">已读取：{card.name}（{maskId(card.idNumber)}）</span>}
    </div>
  );
}

/**
 * Sample records the simulators start with: residents of Xihu district, Hangzhou (the people
 * in the forms' example.json files among them), three companies with their legal representatives,
 * the departments that issue certificates (codes as in db/seed.ts), and certificates already
 * held. Fictitious people; every ID number and credit code has a valid check character.
 */

export interface SamplePerson {
  idNumber: string;
  name: string;
  phone: string;
}

export interface SampleLegalPerson {
  creditCode: string;
  name: string;
  legalRepresentative: { idNumber: string; name: string };
}

export const samplePersons: readonly SamplePerson[] = [
  { idNumber: '330106199003073514', name: '张三', phone: '13800138000' },
  { idNumber: '330106198503122410', name: '刘建军', phone: '13588036751' },
  { idNumber: '330102198802164527', name: '黄丽娟', phone: '13588036752' },
  { idNumber: '330106198802164549', name: '王桂芳', phone: '13758164392' },
  { idNumber: '330106199307223120', name: '徐婷婷', phone: '15906718342' },
  { idNumber: '330106198406182120', name: '陈秀兰', phone: '13957112046' },
  { idNumber: '330106197608142018', name: '林建华', phone: '13605812370' },
  { idNumber: '330102197103254035', name: '何志刚', phone: '13819173261' },
  { idNumber: '330106196811090052', name: '钱文涛', phone: '13967158205' },
  // The example number published with GB 11643, used by the tests' applicant.
  { idNumber: '11010519491231002X', name: '张三', phone: '13800138000' },
];

export const sampleLegalPersons: readonly SampleLegalPerson[] = [
  { creditCode: '91330106MA2H3K7Q5U', name: '杭州西湖区悦味轩餐饮有限公司', legalRepresentative: { idNumber: '330106197608142018', name: '林建华' } },
  { creditCode: '91330106MA2J1PQE65', name: '杭州顺通达物流有限公司', legalRepresentative: { idNumber: '330102197103254035', name: '何志刚' } },
  { creditCode: '91330106MA8B9JHW3F', name: '杭州西湖区湖畔栖居酒店有限公司', legalRepresentative: { idNumber: '330106196811090052', name: '钱文涛' } },
];

/** Departments that issue certificates, each with its own seal key. */
export const sampleIssuers: Readonly<Record<string, string>> = {
  'xh-scjg': '杭州市西湖区市场监督管理局',
  'xh-gaj': '杭州市公安局西湖区分局',
  'xh-mzj': '杭州市西湖区民政局',
  'xh-zrzy': '杭州市规划和自然资源局西湖分局',
  'xh-wjj': '杭州市西湖区卫生健康局',
  'xh-zjj': '杭州市西湖区住房和城乡建设局',
  'xh-rsj': '杭州市西湖区人力资源和社会保障局',
  'hz-jtys': '杭州市交通运输局',
};

export interface SampleCertificate {
  type: string;
  holder: { name: string; idNumber: string };
  issuer: string;
  fields: Record<string, string>;
  validFrom: string;
  validUntil: string | null;
}

const idCard = (p: SamplePerson, validFrom: string, validUntil: string): SampleCertificate => ({
  type: '居民身份证', holder: { name: p.name, idNumber: p.idNumber }, issuer: 'xh-gaj',
  fields: { 公民身份号码: p.idNumber, 姓名: p.name, 住址: '浙江省杭州市西湖区' }, validFrom, validUntil,
});

const [zhang, liu, huang, wang, xu, chen, , , , gbSample] = samplePersons;
const [yuewei, shuntong, hupan] = sampleLegalPersons;

const licence = (c: SampleLegalPerson, kind: string, validFrom: string): SampleCertificate => ({
  type: '营业执照', holder: { name: c.name, idNumber: c.creditCode }, issuer: 'xh-scjg',
  fields: { 统一社会信用代码: c.creditCode, 名称: c.name, 类型: kind, 法定代表人: c.legalRepresentative.name }, validFrom, validUntil: null,
});

export const sampleCertificates: readonly SampleCertificate[] = [
  idCard(zhang, '2015-03-07', '2035-03-07'),
  idCard(liu, '2012-05-20', '2032-05-20'),
  idCard(wang, '2018-02-16', '2038-02-16'),
  // Expired: the holder's sample case is the renewal of this card.
  idCard(xu, '2013-07-22', '2023-07-22'),
  idCard(chen, '2016-06-18', '2036-06-18'),
  idCard(gbSample, '2020-01-15', '2040-01-15'),
  {
    type: '居民户口簿', holder: { name: liu.name, idNumber: liu.idNumber }, issuer: 'xh-gaj',
    fields: { 户号: '330106012345', 户主姓名: liu.name, 住址: '浙江省杭州市西湖区文新街道' }, validFrom: '2012-05-20', validUntil: null,
  },
  {
    type: '结婚证', holder: { name: liu.name, idNumber: liu.idNumber }, issuer: 'xh-mzj',
    fields: { 持证人: liu.name, 配偶: huang.name, 配偶身份证件号: huang.idNumber, 登记日期: '2011-10-01' }, validFrom: '2011-10-01', validUntil: null,
  },
  {
    type: '不动产权证书', holder: { name: zhang.name, idNumber: zhang.idNumber }, issuer: 'xh-zrzy',
    fields: { 权利人: zhang.name, 坐落: '西湖区文一西路100号3幢2单元501室', 用途: '住宅', 面积: '89.5平方米' }, validFrom: '2019-09-12', validUntil: null,
  },
  licence(yuewei, '有限责任公司（自然人独资）', '2021-04-08'),
  licence(shuntong, '有限责任公司（自然人投资或控股）', '2020-11-23'),
  licence(hupan, '有限责任公司（自然人投资或控股）', '2022-06-30'),
];

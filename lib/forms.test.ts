import { expect } from 'chai';
import { checkForm, listFormFolders, readFormFolder } from './forms';

const schema = { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 2 }, addr: { type: 'object', properties: { city: { type: 'string' } } } } };

describe('checkForm', () => {
  it('when every form folder of the repo is checked, then each compiles, resolves its scopes and accepts its example', () => {
    const refs = listFormFolders();
    expect(refs.length).to.be.at.least(1);
    for (const ref of refs) expect(checkForm(readFormFolder(ref)), `${ref.key}@${ref.version}`).to.deep.equal([]);
  });

  it('when a UI-schema scope points nowhere, then its path is named', () => {
    const uischema = { type: 'VerticalLayout', elements: [{ type: 'Control', scope: '#/properties/name' }, { type: 'Control', scope: '#/properties/addr/properties/town' }] };
    expect(checkForm({ schema, uischema, example: { name: '张三' } }, '/form')).to.deep.equal([
      { pointer: '/form/uischema/elements/1/scope', detail: 'scope "#/properties/addr/properties/town" points nowhere in the schema' },
    ]);
  });

  it('when the schema does not compile or the example is invalid, then it is refused', () => {
    expect(checkForm({ schema: { type: 'object', properties: { a: { type: 'nonsense' } } }, uischema: { type: 'VerticalLayout', elements: [] }, example: {} })[0].pointer).to.equal('/schema');
    expect(checkForm({ schema, uischema: { type: 'VerticalLayout', elements: [] }, example: { name: 'x', extra: 1 } }).map((p) => p.pointer).sort()).to.deep.equal(['/example/extra', '/example/name']);
  });
});

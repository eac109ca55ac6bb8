import { expect } from 'chai';
import { noneMatchHits } from './conditional';

describe('If-None-Match against an ETag', () => {
  it('when the header names the tag, strongly or weakly, alone, in a list or as *, then it hits; otherwise it does not', () => {
    const tag = '"v7-full"';
    expect(noneMatchHits('"v7-full"', tag)).to.equal(true);
    expect(noneMatchHits('W/"v7-full"', tag)).to.equal(true);
    expect(noneMatchHits('"v6-full", "v7-full"', tag)).to.equal(true);
    expect(noneMatchHits(' * ', tag)).to.equal(true);
    expect(noneMatchHits(undefined, tag)).to.equal(false);
    expect(noneMatchHits('', tag)).to.equal(false);
    expect(noneMatchHits('"v7-masked"', tag)).to.equal(false);
    expect(noneMatchHits('"v70-full"', tag)).to.equal(false);
    expect(noneMatchHits('v7-full', tag)).to.equal(false);
  });
});

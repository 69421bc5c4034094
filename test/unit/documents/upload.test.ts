import { expect } from 'chai';
import { detectAcceptedType, tooLargeMessage } from '../../../server/documents/upload';
import { samplePdf, samplePng, sampleDocx } from '../../support/files';

describe('Unit - documents/upload type by content', () => {
  it('recognises a PDF, a PNG and a DOCX by their bytes', async () => {
    expect((await detectAcceptedType(await samplePdf('x')))?.mime).to.equal('application/pdf');
    expect((await detectAcceptedType(await samplePng()))?.mime).to.equal('image/png');
    expect((await detectAcceptedType(sampleDocx()))?.ext).to.equal('docx');
  });

  it('refuses an executable, an HTML page and plain text whatever their names', async () => {
    expect(await detectAcceptedType(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]))).to.equal(null);
    expect(await detectAcceptedType(Buffer.from('<html><script>alert(1)</script></html>'))).to.equal(null);
    expect(await detectAcceptedType(Buffer.from('just text pretending to be a .pdf'))).to.equal(null);
  });

  it('refuses a ZIP that is not an office document', async () => {
    const zip = Buffer.from('504b0304140000000000000000000000000000000000000000000000000000000000', 'hex');
    expect(await detectAcceptedType(zip)).to.equal(null);
  });

  it('explains the size limit in Portuguese, in MB', () => {
    expect(tooLargeMessage(50 * 1024 * 1024)).to.contain('limite de 50 MB');
  });
});

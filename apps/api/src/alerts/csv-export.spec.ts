import { csvLine } from './csv-export';

describe('csvLine', () => {
  it('quotes what needs quoting and leaves the rest', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', 3, undefined, null])).toBe('a,"b,c","say ""hi""","two\nlines",3,,\r\n');
  });

  it('keeps a spreadsheet from running a cell as a formula, but not a negative number', () => {
    expect(csvLine(['=HYPERLINK("x")', '+1', '@SUM(A1)', -5])).toBe(`"'=HYPERLINK(""x"")",'+1,'@SUM(A1),-5\r\n`);
  });

  it('keeps Japanese and Chinese names as they are', () => {
    expect(csvLine(['防衛装備庁', '中国稀土'])).toBe('防衛装備庁,中国稀土\r\n');
  });
});

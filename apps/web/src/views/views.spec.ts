import { html, raw } from './html';
import { languageOf, TEXTS } from './i18n';
import { bandOf, regionMap } from './map';

describe('pages escape what they show', () => {
  it('escapes interpolated text, keeps markup made by html`` and raw()', () => {
    const name = '<script>alert("x")</script> & co';
    expect(html`<p title="${name}">${name}</p>`.value).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</p>');
    expect(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.value).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    expect(html`${raw('<b>')}${null}${undefined}${false}${0}`.value).toBe('<b>0');
  });
});

describe('Dutch and English', () => {
  it('every text exists in both languages', () => {
    for (const key of Object.keys(TEXTS.en)) expect(TEXTS.nl[key as keyof typeof TEXTS.nl]).toBeTruthy();
  });

  it("takes the person's choice first, then the browser's, and Dutch when neither says", () => {
    expect(languageOf('en', 'nl-NL')).toBe('en');
    expect(languageOf(undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(languageOf(undefined, 'de-DE')).toBe('nl');
    expect(languageOf('fr', undefined)).toBe('nl');
  });
});

describe('the region map', () => {
  it('colours a practice by refugees per GP FTE, grey when it did not report', () => {
    expect([bandOf(2, true), bandOf(10, true), bandOf(20, true), bandOf(null, true), bandOf(3, false)]).toEqual(['low', 'mid', 'high', 'none', 'none']);
  });

  it('places a reception location among the practices whose catchment holds its PC4, and names every mark', () => {
    const practices = [
      { agb: '1', name: 'A', hagro: 'H', latitude: 52.8, longitude: 6.9, catchment: ['7811'], refugeesPerGpFte: 20, reported: true },
      { agb: '2', name: 'B', hagro: 'H', latitude: 53.0, longitude: 6.5, catchment: ['9401'], refugeesPerGpFte: null, reported: false },
    ];
    const svg = regionMap(TEXTS.en, practices, [{ locationId: 'l', name: 'AZC Emmen', pc4: '7811', population: 100 }], []).value;
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title>A: 20 / fte (high)</title>');
    expect(svg).toContain('<title>AZC Emmen: 100</title>');
    expect(svg.match(/<circle/g)).toHaveLength(2);
  });
});

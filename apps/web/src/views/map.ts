import { html, raw, SafeHtml } from './html';
import { Texts } from './i18n';

export interface MapPractice {
  agb: string;
  name: string;
  hagro: string;
  latitude: number;
  longitude: number;
  catchment: string[];
  refugeesPerGpFte: number | null;
  reported: boolean;
}

export interface MapReceptionLocation {
  locationId: string;
  name: string;
  pc4: string;
  population: number;
}

export interface MapCentralLocation {
  centralLocationId: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
  receptionLocationId: string | null;
}

export type BurdenBand = 'none' | 'low' | 'mid' | 'high';

export const BAND_COLOURS: Record<BurdenBand, string> = { none: '#9aa5b1', low: '#2e7d32', mid: '#e8a600', high: '#b3261e' };

/** Refugees per GP FTE: under 5 is low, up to 15 medium, above that high. */
export function bandOf(perFte: number | null, reported: boolean): BurdenBand {
  if (!reported || perFte === null) return 'none';
  return perFte < 5 ? 'low' : perFte <= 15 ? 'mid' : 'high';
}

const WIDTH = 640;

/**
 * The region as SVG, from the practices' coordinates (no map tiles: nothing is fetched).
 * A reception location sits at the middle of the practices whose catchment holds its PC4.
 */
export function regionMap(t: Texts, practices: MapPractice[], receptions: MapReceptionLocation[], centrals: MapCentralLocation[]): SafeHtml {
  if (practices.length === 0) return html`<p class="muted">${t.none}</p>`;
  const lats = practices.map((p) => p.latitude);
  const lons = practices.map((p) => p.longitude);
  const [minLat, maxLat, minLon, maxLon] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  const kx = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * kx, 0.01);
  const spanY = Math.max(maxLat - minLat, 0.01);
  const scale = (WIDTH - 60) / spanX;
  const height = Math.round(spanY * scale + 60);
  const at = (lat: number, lon: number) => ({ x: 30 + (lon - minLon) * kx * scale, y: 30 + (maxLat - lat) * scale });
  const f = (n: number) => n.toFixed(1);

  const spotOf = new Map<string, { x: number; y: number }>();
  for (const r of receptions) {
    const covering = practices.filter((p) => p.catchment.includes(r.pc4));
    if (covering.length === 0) continue;
    const lat = covering.reduce((s, p) => s + p.latitude, 0) / covering.length;
    const lon = covering.reduce((s, p) => s + p.longitude, 0) / covering.length;
    spotOf.set(r.locationId, at(lat, lon));
  }

  const dots = practices.map((p) => {
    const { x, y } = at(p.latitude, p.longitude);
    const band = bandOf(p.refugeesPerGpFte, p.reported);
    const label = `${p.name}: ${p.refugeesPerGpFte ?? '–'} / fte (${band === 'none' ? t.legendNone : t[band === 'low' ? 'legendLow' : band === 'mid' ? 'legendMid' : 'legendHigh']})`;
    return html`<a href="/burden?by=practice&amp;hagro=${encodeURIComponent(p.hagro)}" aria-label="${label}"><circle cx="${f(x)}" cy="${f(y)}" r="6" fill="${BAND_COLOURS[band]}" stroke="#1b1f24" stroke-width="1"><title>${label}</title></circle></a>`;
  });
  const squares = receptions.flatMap((r) => {
    const spot = spotOf.get(r.locationId);
    if (!spot) return [];
    const side = Math.min(34, 10 + Math.sqrt(Math.max(r.population, 0)));
    const label = `${r.name}: ${r.population}`;
    return [
      html`<g><rect x="${f(spot.x - side / 2)}" y="${f(spot.y - side / 2)}" width="${f(side)}" height="${f(side)}" fill="#0b4f8a" fill-opacity="0.35" stroke="#0b4f8a" stroke-width="2"><title>${label}</title></rect><text x="${f(spot.x + side / 2 + 3)}" y="${f(spot.y + 4)}">${r.name}</text></g>`,
    ];
  });
  const diamonds = centrals.flatMap((c) => {
    const spot = c.latitude !== null && c.longitude !== null ? at(c.latitude, c.longitude) : c.receptionLocationId ? spotOf.get(c.receptionLocationId) : undefined;
    if (!spot) return [];
    const d = 9;
    return [
      html`<path d="${raw(`M${f(spot.x)} ${f(spot.y - d)} L${f(spot.x + d)} ${f(spot.y)} L${f(spot.x)} ${f(spot.y + d)} L${f(spot.x - d)} ${f(spot.y)} Z`)}" fill="#ffffff" stroke="#6a1b9a" stroke-width="3"><title>${c.name}</title></path>`,
    ];
  });
  return html`<svg class="map" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="map-title map-desc" xmlns="http://www.w3.org/2000/svg">
    <title id="map-title">${t.mapTitle}</title><desc id="map-desc">${t.mapDesc}</desc>
    ${squares}${dots}${diamonds}
  </svg>
  <ul class="legend">
    <li><i style="background:${BAND_COLOURS.low}"></i>${t.legendLow} (&lt; 5)</li>
    <li><i style="background:${BAND_COLOURS.mid}"></i>${t.legendMid} (5–15)</li>
    <li><i style="background:${BAND_COLOURS.high}"></i>${t.legendHigh} (&gt; 15)</li>
    <li><i style="background:${BAND_COLOURS.none}"></i>${t.legendNone}</li>
    <li><i style="background:#0b4f8a66;border-radius:0"></i>${t.legendReception}</li>
    <li><i style="background:#fff;border:3px solid #6a1b9a;transform:rotate(45deg);border-radius:0"></i>${t.legendCentral}</li>
  </ul>`;
}

/** A bar chart in HTML (readable by screen readers as text): one bar per item. */
export function bars(items: Array<{ label: string; value: number; text: string }>): SafeHtml {
  const max = Math.max(1, ...items.map((i) => i.value));
  return html`<div class="bars">${items.map(
    (i) => html`<div class="bar"><span>${i.label}</span><span class="fill" style="width:${raw(((i.value / max) * 100).toFixed(1))}%"></span><span class="num">${i.text}</span></div>`,
  )}</div>`;
}

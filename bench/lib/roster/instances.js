'use strict';
/**
 * Deterministic roster instances for the roster-solver benchmark: GPs in practices clustered
 * around real Dutch towns (inside lat 50.8-53.4, lon 3.4-7.2), central locations in towns,
 * sessions every weekday 09:00-11:00 Europe/Amsterdam (summer time handled), 2 GP slots each.
 * The same (kind, seed) always gives the same instance, byte for byte.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BBOX = { latMin: 50.8, latMax: 53.4, lonMin: 3.4, lonMax: 7.2 };

/** [name, province, lat, lon, inhabitants in thousands] (approximate centres). */
const TOWNS = [
  ['Amsterdam', 'NH', 52.37, 4.9, 920],
  ['Rotterdam', 'ZH', 51.92, 4.48, 660],
  ['Den Haag', 'ZH', 52.08, 4.3, 560],
  ['Utrecht', 'UT', 52.09, 5.12, 370],
  ['Eindhoven', 'NB', 51.44, 5.48, 240],
  ['Groningen', 'GR', 53.22, 6.57, 240],
  ['Tilburg', 'NB', 51.56, 5.09, 230],
  ['Almere', 'FL', 52.37, 5.22, 220],
  ['Breda', 'NB', 51.59, 4.78, 190],
  ['Nijmegen', 'GE', 51.84, 5.86, 185],
  ['Apeldoorn', 'GE', 52.21, 5.97, 165],
  ['Arnhem', 'GE', 51.98, 5.91, 165],
  ['Haarlem', 'NH', 52.38, 4.64, 165],
  ['Enschede', 'OV', 52.22, 6.89, 160],
  ['Amersfoort', 'UT', 52.16, 5.39, 160],
  ['Zaanstad', 'NH', 52.44, 4.83, 160],
  ["'s-Hertogenbosch", 'NB', 51.69, 5.3, 160],
  ['Zwolle', 'OV', 52.52, 6.08, 130],
  ['Leiden', 'ZH', 52.16, 4.49, 125],
  ['Leeuwarden', 'FR', 53.2, 5.8, 125],
  ['Zoetermeer', 'ZH', 52.06, 4.49, 125],
  ['Maastricht', 'LI', 50.85, 5.69, 120],
  ['Dordrecht', 'ZH', 51.81, 4.67, 120],
  ['Ede', 'GE', 52.04, 5.67, 120],
  ['Alkmaar', 'NH', 52.63, 4.75, 110],
  ['Emmen', 'DR', 52.785, 6.897, 107],
  ['Delft', 'ZH', 52.01, 4.36, 105],
  ['Venlo', 'LI', 51.37, 6.17, 102],
  ['Deventer', 'OV', 52.26, 6.16, 101],
  ['Helmond', 'NB', 51.48, 5.66, 93],
  ['Oss', 'NB', 51.76, 5.52, 93],
  ['Amstelveen', 'NH', 52.3, 4.86, 92],
  ['Hilversum', 'NH', 52.22, 5.18, 91],
  ['Heerlen', 'LI', 50.89, 5.98, 87],
  ['Purmerend', 'NH', 52.5, 4.95, 93],
  ['Hengelo', 'OV', 52.27, 6.79, 81],
  ['Lelystad', 'FL', 52.52, 5.47, 80],
  ['Roosendaal', 'NB', 51.53, 4.46, 77],
  ['Schiedam', 'ZH', 51.92, 4.4, 79],
  ['Almelo', 'OV', 52.36, 6.66, 73],
  ['Gouda', 'ZH', 52.01, 4.71, 74],
  ['Spijkenisse', 'ZH', 51.85, 4.33, 73],
  ['Hoorn', 'NH', 52.64, 5.06, 74],
  ['Veenendaal', 'UT', 52.03, 5.56, 67],
  ['Assen', 'DR', 52.99, 6.56, 69],
  ['Nieuwegein', 'UT', 52.03, 5.09, 65],
  ['Bergen op Zoom', 'NB', 51.49, 4.29, 68],
  ['Sittard', 'LI', 51.0, 5.87, 92],
  ['Den Helder', 'NH', 52.96, 4.76, 56],
  ['Harderwijk', 'GE', 52.34, 5.62, 49],
  ['Doetinchem', 'GE', 51.97, 6.29, 59],
  ['Hoogeveen', 'DR', 52.72, 6.48, 56],
  ['Roermond', 'LI', 51.19, 5.99, 59],
  ['Kampen', 'OV', 52.56, 5.91, 55],
  ['Middelburg', 'ZE', 51.5, 3.61, 49],
  ['Vlissingen', 'ZE', 51.44, 3.57, 45],
  ['Goes', 'ZE', 51.5, 3.89, 39],
  ['Terneuzen', 'ZE', 51.34, 3.83, 55],
  ['Weert', 'LI', 51.25, 5.71, 50],
  ['Tiel', 'GE', 51.89, 5.43, 42],
  ['Zutphen', 'GE', 52.14, 6.2, 48],
  ['Wageningen', 'GE', 51.97, 5.66, 39],
  ['Gorinchem', 'ZH', 51.83, 4.97, 38],
  ['Emmeloord', 'FL', 52.71, 5.75, 48],
  ['Heerenveen', 'FR', 52.96, 5.92, 51],
  ['Drachten', 'FR', 53.11, 6.1, 45],
  ['Sneek', 'FR', 53.03, 5.66, 34],
  ['Harlingen', 'FR', 53.17, 5.42, 16],
  ['Dokkum', 'FR', 53.33, 5.99, 13],
  ['Meppel', 'DR', 52.7, 6.19, 34],
  ['Steenwijk', 'OV', 52.79, 6.12, 17],
  ['Veendam', 'GR', 53.11, 6.88, 28],
  ['Stadskanaal', 'GR', 52.99, 6.95, 32],
  ['Winschoten', 'GR', 53.14, 7.03, 18],
  ['Delfzijl', 'GR', 53.33, 6.92, 24],
  ['Winterswijk', 'GE', 51.97, 6.72, 29],
  ['Culemborg', 'GE', 51.96, 5.23, 29],
  ['Barneveld', 'GE', 52.14, 5.58, 60],
  ['Nijkerk', 'GE', 52.22, 5.49, 44],
  ['Epe', 'GE', 52.35, 5.98, 33],
  ['Hardenberg', 'OV', 52.58, 6.57, 62],
  ['Venray', 'LI', 51.53, 5.98, 44],
  ['Uden', 'NB', 51.66, 5.62, 42],
  ['Waalwijk', 'NB', 51.68, 5.07, 49],
  ['Etten-Leur', 'NB', 51.57, 4.64, 44],
  ['Zeist', 'UT', 52.09, 5.23, 66],
  ['Woerden', 'UT', 52.09, 4.88, 53],
  ['Alphen a/d Rijn', 'ZH', 52.13, 4.66, 113],
  ['Heerhugowaard', 'NH', 52.67, 4.83, 60],
  ['Den Burg', 'NH', 53.05, 4.8, 7],
];

// ---------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------

/** sfc32 seeded through splitmix32: fast, good enough, and the same on every machine. */
function rng(seed) {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    uniform: (lo, hi) => lo + next() * (hi - lo),
    chance: (p) => next() < p,
    normal: () => {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    pickWeighted(items, weightOf) {
      let total = 0;
      for (const it of items) total += weightOf(it);
      let x = next() * total;
      for (const it of items) {
        x -= weightOf(it);
        if (x < 0) return it;
      }
      return items[items.length - 1];
    },
    shuffle(arr) {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [arr[i], arr[j]] = [arr[j], arr[i]];
      }
      return arr;
    },
  };
  return r;
}

// ---------------------------------------------------------------------------
// Time: Europe/Amsterdam without a time-zone database (EU rule: summer time from the last
// Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC)
// ---------------------------------------------------------------------------

function lastSundayUtc(year, month /* 0-based */) {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), 1);
}

/** UTC offset of Europe/Amsterdam in hours at instant `t` (epoch ms). */
function amsterdamOffsetHours(t) {
  const year = new Date(t).getUTCFullYear();
  return t >= lastSundayUtc(year, 2) && t < lastSundayUtc(year, 9) ? 2 : 1;
}

/** Epoch ms of a local Amsterdam wall-clock time. */
function amsterdam(year, month /* 1-based */, day, hour, minute = 0) {
  const guess = Date.UTC(year, month - 1, day, hour, minute) - HOUR;
  const offset = amsterdamOffsetHours(guess);
  return Date.UTC(year, month - 1, day, hour, minute) - offset * HOUR;
}

/** Local date parts of instant t in Amsterdam. */
function amsterdamParts(t) {
  const d = new Date(t + amsterdamOffsetHours(t) * HOUR);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: ((d.getUTCDay() + 6) % 7) + 1 };
}

/** The weekdays (Mon-Fri) of `weeks` weeks from local date start (a Monday): [{ y, m, d }]. */
function weekdaysFrom(start, weeks) {
  const out = [];
  for (let i = 0; i < weeks * 7; i++) {
    const date = new Date(Date.UTC(start.year, start.month - 1, start.day + i));
    const wd = ((date.getUTCDay() + 6) % 7) + 1;
    if (wd <= 5) out.push({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Geography
// ---------------------------------------------------------------------------

const KM_PER_DEG_LAT = 111.2;

function jitter(r, lat, lon, sigmaKm) {
  for (let i = 0; i < 20; i++) {
    const la = lat + (r.normal() * sigmaKm) / KM_PER_DEG_LAT;
    const lo = lon + (r.normal() * sigmaKm) / (KM_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180));
    if (la >= BBOX.latMin && la <= BBOX.latMax && lo >= BBOX.lonMin && lo <= BBOX.lonMax) return { lat: round(la, 5), lon: round(lo, 5) };
  }
  return { lat, lon };
}

function km(a, b) {
  const toRad = (d) => (d * Math.PI) / 180;
  const dLat = toRad(b.lat - a.lat);
  const dLon = toRad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

function round(v, d) {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}

// ---------------------------------------------------------------------------
// GPs
// ---------------------------------------------------------------------------

/**
 * `count` GPs in practices of 1-4 GPs (one position and one caseload per practice), the
 * practices around `towns` (weighted by inhabitants; 75 % within a few km of the centre, 25 %
 * in the countryside around it). Caseload per FTE is skewed: most practices have little,
 * a few near reception centres a lot (0-20 hour-equivalents).
 */
function makeGps(r, towns, count, horizon) {
  const gps = [];
  const agbs = new Set();
  const agb = () => {
    for (;;) {
      const code = `01${String(r.int(0, 999_999)).padStart(6, '0')}`;
      if (!agbs.has(code)) {
        agbs.add(code);
        return code;
      }
    }
  };
  let practiceNo = 0;
  while (gps.length < count) {
    const town = r.pickWeighted(towns, (t) => t[4]);
    const urban = r.chance(0.75);
    const pos = jitter(r, town[2], town[3], urban ? 2 + Math.sqrt(town[4]) / 6 : 12);
    const size = Math.min(count - gps.length, r.pickWeighted([1, 2, 3, 4], (n) => [30, 35, 22, 13][n - 1]));
    practiceNo += 1;
    const practiceAgb = `0${String(5_000_000 + practiceNo).padStart(7, '0')}`;
    // Refugee caseload per GP FTE in hour-equivalents: long tail towards 20.
    const caseloadBurden = r.chance(0.3) ? round(r.uniform(0, 1), 1) : round(20 * r.next() ** 2, 1);
    for (let i = 0; i < size; i++) {
      const gp = {
        gpAgb: agb(),
        practiceAgb,
        lat: pos.lat,
        lon: pos.lon,
        caseloadBurden,
        hoursWorked: 2 * r.int(0, 5), // earlier 2-hour shifts: 0-10 hours
        maxShiftsPerMonth: r.int(2, 6),
        maxTravelKm: 5 * r.int(5, 12), // 25-60 km
        unavailable: [],
      };
      if (r.chance(0.1)) {
        // an unavailable fortnight, midnight to midnight, somewhere in (or overlapping) the horizon
        const startDay = r.int(-7, horizon.days - 7);
        const from = amsterdam(horizon.start.year, horizon.start.month, horizon.start.day + startDay, 0);
        gp.unavailable.push({ from, to: amsterdam(horizon.start.year, horizon.start.month, horizon.start.day + startDay + 14, 0) });
      }
      if (r.chance(0.2)) {
        const days = r.shuffle([1, 2, 3, 4, 5]).slice(0, r.int(2, 4));
        gp.availableWeekdays = days.sort((a, b) => a - b);
      }
      gps.push(gp);
    }
  }
  return gps;
}

// ---------------------------------------------------------------------------
// Locations and slots
// ---------------------------------------------------------------------------

/** `count` central locations: the first in the largest towns, then more by inhabitants. */
function makeLocations(r, towns, count, prefix) {
  const sorted = [...towns].sort((a, b) => b[4] - a[4]);
  const locations = [];
  for (let i = 0; i < count; i++) {
    const town = i < sorted.length ? sorted[i] : r.pickWeighted(sorted, (t) => t[4]);
    const pos = i < sorted.length ? { lat: town[2], lon: town[3] } : jitter(r, town[2], town[3], 3 + Math.sqrt(town[4]) / 5);
    locations.push({ locationId: `${prefix}-${String(i + 1).padStart(3, '0')}`, town: town[0], ...pos });
  }
  return locations;
}

/** Sessions every weekday 09:00-11:00 local time, `perSession` GP slots each. */
function makeSlots(locations, days, perSession) {
  const slots = [];
  for (const loc of locations) {
    for (const d of days) {
      const startsAt = amsterdam(d.year, d.month, d.day, 9);
      const endsAt = amsterdam(d.year, d.month, d.day, 11);
      const parts = amsterdamParts(startsAt);
      const sessionId = `${loc.locationId}-${d.year}${String(d.month).padStart(2, '0')}${String(d.day).padStart(2, '0')}`;
      for (let k = 1; k <= perSession; k++) {
        slots.push({
          slotId: `${sessionId}-${k}`,
          sessionId,
          locationId: loc.locationId,
          lat: loc.lat,
          lon: loc.lon,
          startsAt,
          endsAt,
          weekday: parts.weekday,
          month: `${parts.year}-${String(parts.month).padStart(2, '0')}`,
        });
      }
    }
  }
  return slots;
}

const RULES = Object.freeze({ minRestHours: 11, distanceWeightPerKm: 0.05 });

/** 13 weeks from Monday 1 March 2027: March to May, across the switch to summer time on 28 March. */
const LONG_HORIZON = { start: { year: 2027, month: 3, day: 1 }, weeks: 13 };
/** 4 weeks from Monday 1 February 2027: one calendar month, so one monthly cap per GP. */
const SHORT_HORIZON = { start: { year: 2027, month: 2, day: 1 }, weeks: 4 };

function horizonOf(h) {
  return { ...h, days: h.weeks * 7 };
}

/**
 * province: 300 GPs and 10 locations in Gelderland. country: 13,000 GPs and 500 locations
 * over the whole country. small: 60 GPs and 2-3 locations around a town picked by the seed.
 */
function makeInstance(kind, seed) {
  const r = rng(seed * 7919 + { province: 1, country: 2, small: 3 }[kind]);
  if (kind === 'province') {
    const horizon = horizonOf(LONG_HORIZON);
    const towns = TOWNS.filter((t) => t[1] === 'GE');
    const gps = makeGps(r, towns, 300, horizon);
    const locations = makeLocations(r, towns, 10, 'GE');
    return { kind, seed, region: 'Gelderland', gps, locations, slots: makeSlots(locations, weekdaysFrom(horizon.start, horizon.weeks), 2), rules: { ...RULES }, horizon };
  }
  if (kind === 'country') {
    const horizon = horizonOf(LONG_HORIZON);
    const gps = makeGps(r, TOWNS, 13_000, horizon);
    const locations = makeLocations(r, TOWNS, 500, 'NL');
    return { kind, seed, region: 'the Netherlands', gps, locations, slots: makeSlots(locations, weekdaysFrom(horizon.start, horizon.weeks), 2), rules: { ...RULES }, horizon };
  }
  if (kind === 'small') {
    const horizon = horizonOf(SHORT_HORIZON);
    const centre = TOWNS[r.int(0, TOWNS.length - 1)];
    const near = TOWNS.filter((t) => km({ lat: t[2], lon: t[3] }, { lat: centre[2], lon: centre[3] }) <= 35);
    const gps = makeGps(r, near, 60, horizon);
    const nLoc = r.int(2, 3);
    const locTowns = [centre, ...r.shuffle(near.filter((t) => t !== centre))].slice(0, nLoc);
    while (locTowns.length < nLoc) locTowns.push(centre); // a lone town: a second location in it
    const locations = locTowns.map((t, i) => ({ locationId: `SM${seed}-${i + 1}`, town: t[0], ...jitter(r, t[2], t[3], i === 0 ? 1 : 4) }));
    return {
      kind,
      seed,
      region: `around ${centre[0]}`,
      gps,
      locations,
      slots: makeSlots(locations, weekdaysFrom(horizon.start, horizon.weeks), 2),
      rules: { ...RULES },
      horizon,
    };
  }
  throw new Error(`unknown instance kind ${kind}`);
}

module.exports = { makeInstance, rng, amsterdam, amsterdamParts, amsterdamOffsetHours, km, TOWNS, BBOX, HOUR, DAY };

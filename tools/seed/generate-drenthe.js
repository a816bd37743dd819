#!/usr/bin/env node
'use strict';
// Generates the demo region's practice directory (fictitious practices and people) from the
// region file. Deterministic: the same input gives the same CSV files.
//   node tools/seed/generate-drenthe.js
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const regionFile = path.join(root, 'apps/practice-notification/src/modules/directory/region/region.drenthe.json');
const outDir = path.join(root, 'apps/practice-notification/seed');
const region = JSON.parse(fs.readFileSync(regionFile, 'utf8'));

let seed = 20220301;
function random() {
  // mulberry32
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];

const practiceNames = ['De Linde', 'Het Brinkhuis', 'De Esch', 'Vaart Zuid', 'De Hunze', 'Het Veen', 'De Kloosterhof', 'Noorderpoort', 'De Boerhoorn', 'Het Markeland', 'De Smelte', 'Oranjekanaal', 'De Drift', 'Het Witte Zand', 'De Hondsrug', 'Zuiderhoek', 'De Brink', 'Het Holtveld', 'De Schaapskooi', 'Het Ellertsveld'];
const givenNames = ['Anna', 'Bram', 'Carlijn', 'Daan', 'Eva', 'Femke', 'Gert', 'Hanneke', 'Ilse', 'Joost', 'Karin', 'Lars', 'Marieke', 'Niels', 'Olga', 'Pieter', 'Roos', 'Sander', 'Tessa', 'Wouter'];
const familyNames = ['Bakker', 'Dijkstra', 'Hoekstra', 'Jansen', 'Kuipers', 'Mulder', 'Postma', 'Smit', 'Visser', 'Wiersma', 'Zwiers', 'Boer', 'Huisman', 'Meijer', 'Schuiling'];
const streets = ['Hoofdstraat', 'Brink', 'Stationsweg', 'Kerkstraat', 'Dorpsstraat', 'Molenweg', 'Schoolstraat', 'Zuideinde'];

const practices = [];
const gps = [];
let agb = 99001000;
for (const hagro of region.hagros) {
  const municipality = region.municipalities.find((m) => m.code === hagro.municipalityCode);
  for (let i = 0; i < hagro.practices; i++) {
    const practiceAgb = String(agb++);
    const pc4s = municipality.pc4;
    const home = pc4s[(i * 3 + hagro.code.length) % pc4s.length];
    // A practice covers its own area and a few neighbouring ones of the same municipality.
    const start = pc4s.indexOf(home);
    const catchment = [...new Set([0, 1, 2, -1].map((d) => pc4s[(start + d + pc4s.length) % pc4s.length]))].sort();
    const name = `Huisartsenpraktijk ${pick(practiceNames)} ${municipality.name} (fictief ${practiceAgb.slice(-3)})`;
    const slug = `praktijk-${practiceAgb}`;
    const contact = `${pick(givenNames)} ${pick(familyNames)}`;
    practices.push({
      agb: practiceAgb,
      name,
      street: `${pick(streets)} ${1 + Math.floor(random() * 120)}`,
      postcode: `${home} ${String.fromCharCode(65 + Math.floor(random() * 18))}${String.fromCharCode(65 + Math.floor(random() * 18))}`.replace(/S[ADS]$/, 'AB'),
      city: municipality.name,
      latitude: (municipality.latitude + (random() - 0.5) * 0.12).toFixed(5),
      longitude: (municipality.longitude + (random() - 0.5) * 0.16).toFixed(5),
      hagro: hagro.code,
      wagro: hagro.wagro,
      catchment: catchment.join(' '),
      contact_name: `${contact} (fictief)`,
      contact_email: `${slug}@example.org`,
    });
    const gpCount = 1 + Math.floor(random() * 4);
    for (let g = 0; g < gpCount; g++) {
      const gpName = `${pick(givenNames)} ${pick(familyNames)}`;
      gps.push({
        agb: String(80000000 + Number(practiceAgb.slice(-4)) * 10 + g),
        practice_agb: practiceAgb,
        name: `${gpName} (fictief)`,
        email: `huisarts-${practiceAgb}-${g + 1}@example.org`,
        fte: pick(['0.6', '0.8', '1.0', '1.0', '0.9', '0.5']),
      });
    }
  }
}

// Every PC4 area of the region has a GP: give each area no practice covers yet to the
// practice of its municipality with the fewest areas.
for (const municipality of region.municipalities) {
  const own = practices.filter((p) => p.city === municipality.name);
  for (const pc4 of municipality.pc4) {
    if (own.some((p) => p.catchment.split(' ').includes(pc4))) continue;
    const smallest = own.reduce((a, b) => (a.catchment.split(' ').length <= b.catchment.split(' ').length ? a : b));
    smallest.catchment = [...smallest.catchment.split(' '), pc4].sort().join(' ');
  }
}

function toCsv(rows) {
  const headers = Object.keys(rows[0]);
  const cell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [headers.join(','), ...rows.map((r) => headers.map((h) => cell(r[h])).join(','))].join('\n') + '\n';
}

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'drenthe-practices.csv'), toCsv(practices));
fs.writeFileSync(path.join(outDir, 'drenthe-gps.csv'), toCsv(gps));
process.stdout.write(`${practices.length} practices in ${region.hagros.length} hagros, ${gps.length} GPs\n`);

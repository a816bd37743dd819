export interface RegionMunicipality {
  code: string;
  name: string;
  latitude: number;
  longitude: number;
  pc4: string[];
}

export interface RegionHagro {
  code: string;
  name: string;
  municipalityCode: string;
  wagro: string;
  coordinator: { id: string; email: string };
}

export interface RegionInstance {
  kind: 'ggd' | 'ghor' | 'safety-region' | 'municipality';
  name: string;
  email: string;
  municipalityCode?: string;
}

export interface RegionFile {
  region: string;
  version: string;
  coordination: { name: string; email: string };
  centralLocationThreshold: number;
  municipalities: RegionMunicipality[];
  wagros: Array<{ code: string; name: string }>;
  hagros: RegionHagro[];
  instances: RegionInstance[];
}

/**
 * The region the coordination serves: its municipalities and PC4 areas, hagros and wagros,
 * the instances to tell (GGD, GHOR, safety region, municipalities) and the coordination itself.
 */
export class Region {
  private readonly municipalityByPc4 = new Map<string, RegionMunicipality>();
  private readonly hagros: Map<string, RegionHagro>;
  private readonly wagros: Set<string>;

  constructor(readonly file: RegionFile) {
    for (const m of file.municipalities) {
      for (const pc4 of m.pc4) {
        if (this.municipalityByPc4.has(pc4)) throw new Error(`region file: PC4 ${pc4} belongs to two municipalities`);
        this.municipalityByPc4.set(pc4, m);
      }
    }
    this.hagros = new Map(file.hagros.map((h) => [h.code, h]));
    this.wagros = new Set(file.wagros.map((w) => w.code));
    for (const h of file.hagros) {
      if (!this.wagros.has(h.wagro)) throw new Error(`region file: hagro ${h.code} names unknown wagro ${h.wagro}`);
    }
  }

  get name(): string {
    return this.file.region;
  }

  get coordination(): { name: string; email: string } {
    return this.file.coordination;
  }

  hasPc4(pc4: string): boolean {
    return this.municipalityByPc4.has(pc4);
  }

  municipalityOfPc4(pc4: string): RegionMunicipality | undefined {
    return this.municipalityByPc4.get(pc4);
  }

  hagro(code: string): RegionHagro | undefined {
    return this.hagros.get(code);
  }

  hasWagro(code: string): boolean {
    return this.wagros.has(code);
  }

  /** Who is told the arrangement for a group of `municipalityCode` (rule 5). */
  instancesFor(municipalityCode: string): RegionInstance[] {
    return this.file.instances.filter((i) => i.kind !== 'municipality' || i.municipalityCode === municipalityCode);
  }
}

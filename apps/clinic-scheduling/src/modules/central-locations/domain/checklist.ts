/** Rule 4 and 9: what a central location needs before consultation hours start. */
export const CHECKLIST_ITEMS = [
  { item: 'workplace-furnished', required: true },
  { item: 'his-access', required: true },
  { item: 'declarations-arranged', required: true },
  { item: 'interpreter', required: false },
  { item: 'equipment', required: false },
] as const;

export type ChecklistItem = (typeof CHECKLIST_ITEMS)[number]['item'];
export const CHECKLIST_ITEM_NAMES = CHECKLIST_ITEMS.map((i) => i.item);

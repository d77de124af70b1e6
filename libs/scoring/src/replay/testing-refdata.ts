import type { OrderEvent, OrderLine } from '@dualwatch/contracts';
import { bundledDataDir, readRefDataFiles, refDataFromObject, type ListedParty, type RefData, type RefDataFiles } from '@dualwatch/refdata';
import { DY_LINE } from '../testing/events';

/** The bundled reference data with one more watch-list entry (a new version, as an admin would load). */
export function withWatchListEntry(entry: Partial<ListedParty> & { names: ListedParty['names'] }): RefData {
  return refDataFromObject(filesWithWatchListEntry(entry));
}

/** The same, as the files of a reference-data directory (to write to disk or post to the api). */
export function filesWithWatchListEntry(entry: Partial<ListedParty> & { names: ListedParty['names'] }): RefDataFiles {
  const files = structuredClone(readRefDataFiles(bundledDataDir()));
  (files['manifest.json'] as { label: string }).label = '2026-12-r1';
  const parties = files['parties.json'] as ListedParty[];
  const template = parties.find((p) => p.id === 'WL-12-01')!;
  const { unverifiedNames: _u, note: _n, jpCorporateNumber: _c, defenceNexusFrom: _d, contracts: _k, related: _r, ...base } = template;
  parties.push({ ...base, id: 'WL-99-01', aliases: [], annexEntry: 99, listedOn: '2026-12-01', effectiveFrom: '2026-12-01', ...entry });
  return files;
}

/** A listed-to-be company: the one the extra watch-list entry in the tests names. */
export const NEW_ENTITY = 'Kanazawa Precision Magnetics K.K.';

/**
 * The order the replay tests are made of: PRC-origin dysprosium sold by a Chinese maker to a Japanese
 * buyer for a civil use, shipping 2026-12-15; `line` and `order` override its fields.
 */
export function replayOrder(
  orderId: string,
  buyer: string,
  o: { shipDate?: string; line?: Partial<OrderLine>; order?: Partial<OrderEvent['order']> } = {},
): OrderEvent {
  return {
    schemaVersion: 1,
    eventId: `evt-${orderId}`,
    eventType: 'order.created',
    occurredAt: '2026-11-20T09:00:00Z',
    order: {
      orderId,
      direction: 'sale',
      orderDate: '2026-11-20',
      shipDate: o.shipDate ?? '2026-12-15',
      seller: { name: 'Ganzhou Example Rare Earth Co., Ltd.', country: 'CN' },
      buyer: { name: buyer, country: 'JP' },
      endUse: { category: 'civil', statement: 'motors' },
      shipFrom: 'CN',
      shipTo: 'JP',
      lines: [{ ...DY_LINE, ...o.line }],
      ...o.order,
    },
  };
}

/** OpenAPI/JSON schema of GET /api/outcomes (documentation and response serialisation). */
import { notificationProperties } from './views.ts';

const int = { type: 'integer' } as const;
const nullableInt = { type: ['integer', 'null'] } as const;
const rate = { type: ['number', 'null'], description: 'a fraction (0.42 = 42%); null when the sample is empty' } as const;
const obj = (properties: Record<string, unknown>, description?: string) => ({ type: 'object', properties, ...(description ? { description } : {}) });
const list = (items: object, description?: string) => ({ type: 'array', items, ...(description ? { description } : {}) });

const latency = obj({ n: int, p50Ms: nullableInt, p95Ms: nullableInt, maxMs: nullableInt, overOneHour: { ...int, description: 'how many took more than one hour (target: 0)' } },
  'nearest-rank percentiles in milliseconds');
const delivery = {
  issuedToNotified: { ...latency, description: "vendor's invoice time (issuedAt) → notification stored" },
  receivedToNotified: { ...latency, description: 'gateway receipt → notification stored' },
};
const outreachProps = {
  rate, contacted: int, eligible: { ...int, description: 'sample size: notified invoices whose outreach window closed, or that were contacted' },
  open: { ...int, description: 'notified invoices still open without contact (not counted yet)' },
};
const outreach = obj(outreachProps);
const onTime = obj({ rate, onTime: int, due: { ...int, description: 'sample size: due invoices (voided ones are never owed)' } });
const onTimeGroups = { withOutreach: onTime, withoutOutreach: onTime, notified: onTime };
const series = obj({
  outreach: list(obj({ period: { type: 'string' }, ...outreachProps })),
  onTime: list(obj({ period: { type: 'string' }, ...onTimeGroups })),
  delivery: list(obj({ period: { type: 'string' }, source: { type: 'string' }, ...delivery })),
}, 'period: the UTC day, or the Monday of the UTC week');

export const outcomesSchema = obj({
  from: { type: 'string' }, to: { type: 'string' }, csmId: { type: ['string', 'null'] }, team: { type: ['string', 'null'] }, generatedAt: { type: 'string' },
  goLiveAt: { type: ['string', 'null'], description: 'OUTCOMES_GO_LIVE_DATE, else the first notification: invoices issued before it are the baseline' },
  baselineAccounts: { ...int, description: 'accounts whose pre-go-live invoices make the baseline' },
  targets: obj({ deliveryMaxMs: int, outreachRate: { type: 'number' }, onTimeLiftPoints: { type: 'number' } }),
  delivery: obj({ bySource: list(obj({ source: { type: 'string' }, ...delivery })) }),
  outreach: obj({ overall: outreach, perTeam: list(obj({ team: { type: ['string', 'null'] }, ...outreachProps })) }),
  onTime: obj({
    ...onTimeGroups, baseline: onTime,
    liftPoints: obj({ notifiedVsBaseline: { type: ['number', 'null'] }, withOutreachVsBaseline: { type: ['number', 'null'] }, withOutreachVsWithout: { type: ['number', 'null'] } }, 'differences in percentage points, one decimal (target: +5)'),
  }),
  perCsm: list(obj({ csmId: { type: 'string' }, team: { type: ['string', 'null'] }, notified: int, outreach, onTime: obj({ withOutreach: onTime, withoutOutreach: onTime }) })),
  daily: series,
  weekly: series,
  needsOutreach: list(obj({
    ...notificationProperties('invoiceId', 'customerId', 'customerName', 'csmId', 'status', 'dueDate', 'dueDay', 'amount', 'currency', 'amountDisplay', 'riskLevel'),
    team: { type: ['string', 'null'] }, currentAction: { type: ['string', 'null'] },
  }), 'open invoices nobody has contacted yet, most urgent first (overdue, failed, then by due date and risk)'),
});

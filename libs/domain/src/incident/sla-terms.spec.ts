import { STANDARD_BUSINESS_CALENDAR, type BusinessCalendar } from './business-calendar';
import { slaTermsFor, type SlaDefinitionFacts } from './sla-terms';

const HOUR = 3_600_000;
const definition = (over: Partial<SlaDefinitionFacts> = {}): SlaDefinitionFacts => ({
  scope: 'default',
  priority: 'P2',
  version: 1,
  responseMs: HOUR,
  resolutionMs: 8 * HOUR,
  businessHours: false,
  calendar: null,
  ...over,
});
const SHOP_HOURS: BusinessCalendar = { ...STANDARD_BUSINESS_CALENDAR, utcOffsetMinutes: 60 };

describe('slaTermsFor', () => {
  it("takes the service's own definition over the default", () => {
    const terms = slaTermsFor('svc-payments', 'P2', [definition(), definition({ scope: 'svc-payments', responseMs: HOUR / 4 })]);
    expect(terms).toEqual({ response: { targetMs: HOUR / 4, businessHours: false }, resolution: { targetMs: 8 * HOUR, businessHours: false }, calendar: null, definition: 'svc-payments/P2@1' });
  });

  it('falls back to the default definition when the service has none for that priority', () => {
    const terms = slaTermsFor('svc-payments', 'P2', [definition({ version: 2 }), definition({ scope: 'svc-payments', priority: 'P1' }), definition({ scope: 'svc-intranet' })]);
    expect(terms?.definition).toBe('default/P2@2');
  });

  it('uses the latest version of a definition', () => {
    const terms = slaTermsFor('svc-payments', 'P2', [definition({ scope: 'svc-payments', version: 3, responseMs: 3 }), definition({ scope: 'svc-payments', version: 4, responseMs: 4 }), definition({ scope: 'svc-payments', version: 2, responseMs: 2 })]);
    expect(terms).toMatchObject({ response: { targetMs: 4 }, definition: 'svc-payments/P2@4' });
  });

  it('has no terms when not even a default applies', () => {
    expect(slaTermsFor('svc-payments', 'P3', [definition({ priority: 'P2' })])).toBeUndefined();
  });

  it('keeps a missing target missing', () => {
    expect(slaTermsFor('svc-payments', 'P2', [definition({ responseMs: null })])).toMatchObject({ response: null, resolution: { targetMs: 8 * HOUR } });
  });

  it('runs business-hours targets on the definition calendar, else on the standard one', () => {
    expect(slaTermsFor('x', 'P2', [definition({ businessHours: true, calendar: SHOP_HOURS })])).toMatchObject({ calendar: SHOP_HOURS, response: { businessHours: true } });
    expect(slaTermsFor('x', 'P2', [definition({ businessHours: true })])?.calendar).toEqual(STANDARD_BUSINESS_CALENDAR);
    expect(slaTermsFor('x', 'P2', [definition({ businessHours: false, calendar: SHOP_HOURS })])?.calendar).toBeNull();
  });
});

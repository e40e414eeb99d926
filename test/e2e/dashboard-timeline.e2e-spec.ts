import { Client } from '../../src/clients/client.entity';
import { CompanyContextState } from '../../src/company-context/company-context.state';
import { ContextStatus } from '../../src/company-context/context-status';
import { FakeAiServer } from '../support/fake-ai-server';
import { clientBody } from '../support/clients';
import { createTestApp, TestApp } from '../support/test-app';

const API_TOKEN = 'dashboard-timeline-token-0123456789';
const auth = { Authorization: `Bearer ${API_TOKEN}` };
const HOUR_MS = 3_600_000;

// The timeline is counted by the database (issue 13): each record lands in the hour of its timestamp.
describe('Dashboard timeline: processed and failed per hour, counted by the database', () => {
  let ai: FakeAiServer;
  let t: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), API_TOKEN }, worker: false });
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  /** A record processed or failed at `at`, written straight into the table (no job runs for it on any stack). */
  async function stamped(status: ContextStatus.Processed | ContextStatus.Failed, at: Date): Promise<void> {
    const { company_context: text, password, password_app: passwordApp, ...fields } = clientBody();
    const now = new Date();
    await t.dataSource.getRepository(Client).insert({
      ...(fields as Partial<Client>),
      password: String(password),
      password_app: String(passwordApp),
      ...CompanyContextState.initial(String(text), now),
      context_status: status,
      context_available_at: null,
      context_processed_at: status === ContextStatus.Processed ? at : null,
      context_failed_at: status === ContextStatus.Failed ? at : null,
      pin: '00000000',
      created_at: now,
      updated_at: now,
    });
  }

  it('puts each record in the hour it was processed or failed, and leaves out what is older than 24 hours', async () => {
    const currentHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    await stamped(ContextStatus.Processed, new Date(currentHour + 1));
    await stamped(ContextStatus.Processed, new Date(currentHour - 1));
    await stamped(ContextStatus.Processed, new Date(currentHour - 5 * HOUR_MS + 30 * 60_000));
    await stamped(ContextStatus.Processed, new Date(currentHour - 23 * HOUR_MS));
    await stamped(ContextStatus.Processed, new Date(currentHour - 23 * HOUR_MS - 1));
    await stamped(ContextStatus.Failed, new Date(currentHour - 5 * HOUR_MS));
    await stamped(ContextStatus.Failed, new Date(currentHour - 2 * 24 * HOUR_MS));

    const hours: { start: string; processed: number; failed: number }[] = (
      await t.http.get('/dashboard/api/timeline').set(auth).expect(200)
    ).body.hours;

    expect(hours).toHaveLength(24);
    expect(Date.parse(hours[0].start)).toBe(currentHour - 23 * HOUR_MS);
    const at = (hoursAgo: number) => hours[23 - hoursAgo];
    expect(at(0)).toMatchObject({ processed: 1, failed: 0 });
    expect(at(1)).toMatchObject({ processed: 1, failed: 0 });
    expect(at(5)).toMatchObject({ processed: 1, failed: 1 });
    expect(at(23)).toMatchObject({ processed: 1, failed: 0 });
    expect(hours.reduce((sum, hour) => sum + hour.processed, 0)).toBe(4);
    expect(hours.reduce((sum, hour) => sum + hour.failed, 0)).toBe(1);
  });
});

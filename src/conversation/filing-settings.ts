import type { PeriodCalendar } from '../calendar/period';
import type { Schedule } from '../calendar/schedule';
import type { WorkCalendar } from '../calendar/work-calendar';
import type { Form } from './form';

/** The settings of a deployment's filing that jobs and follow-ups alike work with. */
export interface FilingSettings {
  form: Form;
  cal: PeriodCalendar;
  schedule: Schedule;
  work: WorkCalendar;
  /** A school is nudged at most once within this interval, whoever asks. */
  nudgeIntervalMs: number;
  /** FIRST_PERIOD, when configured (else the first roster import decides). */
  firstPeriod?: string;
}

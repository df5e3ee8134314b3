import chineseDays from 'chinese-days';
import { DateTime } from 'luxon';

/** 'YYYY-MM-DD' in the report time zone. */
export type LocalDate = string;

/**
 * Working days in mainland China: public holidays and make-up workdays (调休) from the
 * chinese-days calendar. For a year the calendar does not know yet, weekdays are working days
 * and `onUnknownYear` is told (once per year), so that the log says the calendar needs updating.
 */
export class WorkCalendar {
  private readonly known = new Map<number, boolean>();

  constructor(private readonly onUnknownYear: (year: number) => void = () => undefined) {}

  /** National Day is a holiday every year: a calendar that says otherwise has no data for the year. */
  knowsYear(year: number): boolean {
    let known = this.known.get(year);
    if (known === undefined) {
      known = chineseDays.isHoliday(`${year}-10-01`);
      this.known.set(year, known);
      if (!known) this.onUnknownYear(year);
    }
    return known;
  }

  isWorkday(date: LocalDate): boolean {
    if (this.knowsYear(Number(date.slice(0, 4)))) return chineseDays.isWorkday(date);
    return DateTime.fromISO(date, { zone: 'utc' }).weekday <= 5;
  }

  /** The date itself when it is a working day, else the closest working day before it. */
  workdayOnOrBefore(date: LocalDate): LocalDate {
    let d = date;
    for (let i = 0; i < 30 && !this.isWorkday(d); i++) d = addDays(d, -1);
    return d;
  }

  /** The date itself when it is a working day, else the closest working day after it. */
  workdayOnOrAfter(date: LocalDate): LocalDate {
    let d = date;
    for (let i = 0; i < 30 && !this.isWorkday(d); i++) d = addDays(d, 1);
    return d;
  }
}

function addDays(date: LocalDate, days: number): LocalDate {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate()!;
}

import { AppError } from '../../../shared/errors.ts';
import { seriesEnd } from '../recurrence/expand.ts';
import type { EventRow } from '../repo/events.ts';
import type { RecurrenceInput } from '../schemas.ts';

/** The fields that must agree with each other once a change is merged into the event. */
export interface EventShape {
  title: string;
  type: EventRow['type'];
  status: EventRow['status'];
  location?: { lat: number; lng: number } | null;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  recurrence?: RecurrenceInput | null;
  virtualProvider?: EventRow['virtual_provider'];
  virtualUrl?: string | null;
}

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', message, { extensions: { errors: [{ in: 'json', path, message }] } });

/**
 * The cross-field rules of the events table, checked first so the caller gets a 400 that names
 * the field instead of a constraint violation: the end follows the start, an in-person event has
 * no link, and beyond drafts a physical event needs a place and a virtual one a link.
 */
export function checkEventShape(shape: EventShape): void {
  if (shape.endsAt.getTime() <= shape.startsAt.getTime()) throw invalid('endsAt', 'The event must end after it starts.');
  if (shape.type === 'in_person' && (shape.virtualUrl || shape.virtualProvider)) {
    throw invalid('virtualUrl', 'An in-person event has no virtual link; make it hybrid or virtual.');
  }
  if (shape.status === 'draft') return;
  if (shape.type !== 'virtual' && !shape.location) throw invalid('location', 'An in-person or hybrid event needs a location (or a venue with one) to be published.');
  if (shape.type !== 'in_person' && !shape.virtualUrl) throw invalid('virtualUrl', 'A virtual or hybrid event needs a virtualUrl to be published.');
}

/**
 * The end of the event's last occurrence for the series_ends_at column: undefined for a one-off
 * event (the column follows ends_at by trigger), null for an endless series.
 */
export function seriesEndOf(shape: EventShape): Date | null | undefined {
  if (!shape.recurrence) return undefined;
  try {
    return seriesEnd({ startsAt: shape.startsAt, endsAt: shape.endsAt, timezone: shape.timezone, rule: shape.recurrence });
  } catch (error) {
    if (error instanceof RangeError) throw invalid('recurrence', `The recurrence rule cannot be expanded: ${error.message}`);
    throw error;
  }
}

/**
 * Runs a write and turns the database refusing the data (unknown category or venue, a rule the
 * checks above do not cover) into a 400, never a 500.
 */
export async function databaseRefusal<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23503') {
      const field = constraint?.includes('venue') ? 'venueId' : constraint?.includes('category') ? 'categoryId' : '(root)';
      throw invalid(field, `No such ${field === 'venueId' ? 'venue' : field === 'categoryId' ? 'category' : 'referenced item'}.`);
    }
    if (code === '23514') throw invalid('(root)', `The event breaks the rule ${constraint ?? 'of the events table'}.`);
    throw error;
  }
}

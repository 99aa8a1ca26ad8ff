import { JOB_RETENTION_DAYS } from './limits.ts';

export const JobStatus = {
  QUEUED: 'queued',
  PROCESSING: 'processing',
  COMPLETED: 'completed',
  FAILED: 'failed',
  TIMEOUT: 'timeout',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

export type JobType = 'quick' | 'long';

/** A JobDetails row. Long-job fields come with the long-job path. */
export interface JobRecord {
  job_id: string;
  owner: string;
  job_type: JobType;
  status: JobStatus;
  /** Input type (`html`). */
  mode: string;
  pages?: number;
  truncated?: boolean;
  created_at: string;
  completed_at?: string;
  duration_ms?: number;
  timeout_occurred?: boolean;
  error_code?: string;
  error_message?: string;
  /** Epoch seconds; DynamoDB TTL deletes the row after it. */
  ttl: number;
}

export type AnalyticsEventType = 'quickjob_timeout';

export interface AnalyticsEvent {
  type: AnalyticsEventType;
  job_id: string;
  owner: string;
  at?: string;
  details?: Record<string, unknown>;
}

/** Epoch seconds `days` after `from`: the value DynamoDB TTL expects. */
export const epochSecondsAfterDays = (from: Date, days: number): number =>
  Math.floor(from.getTime() / 1000) + days * 24 * 60 * 60;

/** Epoch seconds at which a job created at `createdAt` expires. */
export const jobTtl = (createdAt: Date): number => epochSecondsAfterDays(createdAt, JOB_RETENTION_DAYS);

import { AppError } from '../platform/errors.js';

export type DownloadProblemReason = 'link_invalid' | 'link_expired' | 'revoked' | 'access_expired' | 'limit_reached' | 'file_unavailable';

const problems: Record<DownloadProblemReason, { status: number; title: string; message: string }> = {
  link_invalid: {
    status: 404,
    title: 'This download link is not valid',
    message: 'The link is incomplete or was changed. Make a new one from your order page.',
  },
  link_expired: {
    status: 410,
    title: 'This link has expired',
    message: 'Download links work for a short time only. Make a new one from your order page.',
  },
  revoked: { status: 410, title: 'This purchase was refunded', message: 'Its downloads are no longer available.' },
  access_expired: {
    status: 410,
    title: 'The download period has ended',
    message: 'The downloads of this purchase are no longer available.',
  },
  limit_reached: {
    status: 403,
    title: 'Download limit reached',
    message: 'All downloads of this purchase have been used. If you need another, please contact us.',
  },
  file_unavailable: {
    status: 503,
    title: 'This file is unavailable right now',
    message: 'Please try again in a few minutes, or contact us if it keeps happening.',
  },
};

/** Why a download or a download link is refused; the pages show `title`, `message` and a way back to the order. */
export class DownloadProblem extends AppError {
  readonly title: string;
  constructor(
    readonly reason: DownloadProblemReason,
    /** the order the link belongs to, when known (links back to its page) */
    readonly orderId: string | null,
  ) {
    const p = problems[reason];
    super(`download_${reason}`, p.message, p.status);
    this.title = p.title;
  }
}

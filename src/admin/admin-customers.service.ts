import type { CustomersService } from '../orders/customers.service.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { paginate } from '../platform/pagination.js';
import { parsePage } from './admin-query.js';

export const CUSTOMERS_PAGE_SIZE = 25;
const EMAIL_PART = /^[^\s<>"]{1,320}$/;

/** ASCII lower case, as SQLite's lower() (and the orders search) fold an address. */
const fold = (s: string) => s.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());

function pageOf(total: number, page: number, what: string) {
  const pagination = paginate(total, page, CUSTOMERS_PAGE_SIZE);
  if (page > pagination.pageCount)
    throw new NotFoundError(`There is no page ${page} of ${what}; the last is ${pagination.pageCount}.`, 'page_not_found');
  return pagination;
}

/** The owner's read-only view of buyers: raw query values in, pages out (400 for a bad search or page). */
export function createAdminCustomersService({ customers }: { customers: Pick<CustomersService, 'listCustomers' | 'getCustomer'> }) {
  return {
    /** `GET /admin/customers`: buyers whose address begins with `q`, by address. */
    async listCustomers(raw: { q?: string; page?: string }) {
      const q = fold(raw.q ?? '');
      if (q !== '' && !EMAIL_PART.test(q))
        throw new ValidationError(
          'Search by the beginning of a buyer’s email address (no spaces).',
          { q: q.slice(0, 100) },
          'invalid_search',
        );
      const page = parsePage(raw.page);
      const { total, customers: rows } = await customers.listCustomers(q || null, CUSTOMERS_PAGE_SIZE, (page - 1) * CUSTOMERS_PAGE_SIZE);
      return { q, customers: rows, pagination: pageOf(total, page, 'customers') };
    },

    /** `GET /admin/customers/:email`: one buyer's orders; the same 404 for an address with none. */
    async getCustomer(rawEmail: string, rawPage: string | undefined) {
      const page = parsePage(rawPage);
      const email = fold(rawEmail);
      const customer = EMAIL_PART.test(email)
        ? await customers.getCustomer(email, CUSTOMERS_PAGE_SIZE, (page - 1) * CUSTOMERS_PAGE_SIZE)
        : null;
      if (!customer) throw new NotFoundError('No orders were placed with that email address.', 'customer_not_found');
      return { customer, pagination: pageOf(customer.orders, page, 'this buyer’s orders') };
    },
  };
}

export type AdminCustomersService = ReturnType<typeof createAdminCustomersService>;

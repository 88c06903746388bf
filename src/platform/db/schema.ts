import type { ColumnType, Generated } from 'kysely';

/** Epoch milliseconds: one integer type on both dialects, so comparisons and arithmetic agree. */
type Millis = number;
/** 0 or 1: SQLite has no boolean, so both dialects store flags as integers. */
type Flag = ColumnType<number, number | undefined, number>;
type Id = Generated<number>;

export type ProductType = 'key_lim' | 'key' | 'file';
export type ProductStatus = 'draft' | 'active' | 'archived';

export interface ProductsTable {
  id: Id;
  sku: string; // stored upper-case: SKUs are case-insensitive
  name: string;
  summary: string;
  description: string; // Markdown, rendered sanitised
  /** The description rendered and sanitised when it was written ('' until then); see migration 002. */
  description_html: ColumnType<string, string | undefined, string>;
  price: number; // minor units
  currency: string; // ISO 4217
  type: ProductType;
  status: ProductStatus;
  featured: Flag;
  specs: string; // JSON array of [label, value]
  download_limit: number | null;
  access_days: number | null;
  activation_limit: number | null;
  created_at: Millis;
  updated_at: Millis;
  /** key_lim: mail the owner when a sale leaves this many keys or fewer (null: LOW_STOCK); migration 017 */
  low_stock_threshold: ColumnType<number | null, number | null | undefined, number | null>;
  /** when that mail was queued; null while armed (017) */
  low_stock_notified_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>;
  /** which row of tax_rates applies ('standard' unless the owner says otherwise); migration 021 */
  tax_category: ColumnType<string, string | undefined, string>;
}

export interface CategoriesTable {
  id: Id;
  slug: string;
  name: string;
  description: string;
  position: number;
}

export interface ProductCategoriesTable {
  product_id: number;
  category_id: number;
}

export interface ProductImagesTable {
  id: Id;
  product_id: number;
  url: string;
  alt: string;
  position: number;
  /** Uploaded images only (null for URL images): the largest rendition's size, and every rendition as JSON. */
  width: ColumnType<number | null, number | null | undefined, number | null>;
  height: ColumnType<number | null, number | null | undefined, number | null>;
  renditions: ColumnType<string | null, string | null | undefined, string | null>;
}

export type LicenseKeyStatus = 'available' | 'reserved' | 'sold' | 'revoked';

export interface LicenseKeysTable {
  id: Id;
  product_id: number;
  key_encrypted: string;
  key_hash: string; // keyed hash: lookup and duplicate detection without decrypting
  status: LicenseKeyStatus;
  order_id: string | null;
  reserved_until: Millis | null;
  created_at: Millis;
  sold_at: Millis | null;
}

export interface ProductFilesTable {
  id: Id;
  product_id: number;
  storage_key: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: Millis;
  /** removed by the owner: kept for the download log, never served (017) */
  removed_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>;
}

export interface UserCartTable {
  user_id: string; // OIDC subject, or `guest:<id>` for a visitor's cart
  product_id: number;
  quantity: number;
  added_at: Millis;
}

export interface OrdersTable {
  id: string; // random public id: cannot be guessed or enumerated
  /** the short number people read (#1001…), handed out by the database on insert; never in URLs */
  order_number: Generated<number>;
  user_sub: string;
  email: string;
  status: string;
  currency: string;
  subtotal: number;
  tax: number;
  total: number;
  payment_provider: string | null;
  payment_ref: string | null;
  payment_intent: string | null;
  invoice_number: number | null;
  idempotency_key: string | null;
  attention_reason: string | null;
  reserved_until: Millis | null;
  paid_at: Millis | null;
  created_at: Millis;
  updated_at: Millis;
  // Migration 021: who the invoice names, and how the order was taxed and discounted.
  billing_name: ColumnType<string | null, string | null | undefined, string | null>;
  billing_company: ColumnType<string | null, string | null | undefined, string | null>;
  billing_address: ColumnType<string | null, string | null | undefined, string | null>;
  /** ISO 3166-1 alpha-2: the country whose rate was charged */
  billing_country: ColumnType<string | null, string | null | undefined, string | null>;
  billing_vat_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1: a business buyer in another EU country; no VAT charged, the invoice says why */
  reverse_charge: Flag;
  /** whether catalog prices included tax when the order was placed (null: before 021) */
  prices_include_tax: ColumnType<number | null, number | null | undefined, number | null>;
  discount_code: ColumnType<string | null, string | null | undefined, string | null>;
  /** minor units taken off the lines by the code (sum of order_items.discount) */
  discount: ColumnType<number, number | undefined, number>;
  /** the invoice number's series, e.g. `INV-2026-` (null: the series before 021, printed `INV-0007`) */
  invoice_series: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OrderItemsTable {
  id: Id;
  order_id: string;
  product_id: number;
  sku: string;
  name: string;
  type: ProductType;
  unit_price: number;
  quantity: number;
  refunded_quantity: Generated<number>;
  /** delivery terms at checkout (file products); null means the store's defaults */
  download_limit: ColumnType<number | null, number | null | undefined, number | null>;
  access_days: ColumnType<number | null, number | null | undefined, number | null>;
  // Migration 021, as charged: the line's discount, the rate (basis points) and the amounts after it.
  discount: ColumnType<number, number | undefined, number>;
  tax_rate_bp: ColumnType<number, number | undefined, number>;
  tax: ColumnType<number, number | undefined, number>;
  /** null: an order from before 021, whose line amount is unit_price × quantity */
  net: ColumnType<number | null, number | null | undefined, number | null>;
  gross: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface OrderEventsTable {
  id: Id;
  order_id: string;
  from_status: string | null;
  to_status: string | null;
  event: string;
  detail: string | null;
  created_at: Millis;
}

export interface DeliveredKeysTable {
  id: Id;
  order_item_id: number;
  unit_index: number; // unique per item: one key per unit, never two
  license_key_id: number | null; // key_lim: the pool key; key: null (generated)
  key_encrypted: string;
  key_hash: string;
  status: 'active' | 'revoked';
  revealed_at: Millis | null;
  created_at: Millis;
}

export interface KeyRevealsTable {
  id: Id;
  delivered_key_id: number;
  user_sub: string;
  ip: string;
  created_at: Millis;
}

export interface LicenseActivationsTable {
  id: Id;
  delivered_key_id: number;
  instance_id: string;
  instance_name: string;
  created_at: Millis;
  deactivated_at: Millis | null;
}

export interface DownloadGrantsTable {
  id: Id;
  order_item_id: number;
  unit_index: number;
  product_id: number;
  download_limit: number;
  downloads_used: number;
  expires_at: Millis;
  status: 'active' | 'revoked';
  created_at: Millis;
}

export interface DownloadLogTable {
  id: Id;
  grant_id: number;
  file_id: number;
  ip: string;
  range: string | null;
  counted: Flag;
  created_at: Millis;
}

export interface DownloadTransfersTable {
  id: Id;
  /** the link's random id, from its token */
  link_id: string;
  grant_id: number;
  file_id: number;
  downloads: Generated<number>;
  ip: string | null;
  active_at: Generated<Millis>;
  sent: Generated<number>;
  created_at: Millis;
  updated_at: Millis;
}

export interface PaymentEventsTable {
  id: Id;
  provider: string;
  event_id: string;
  type: string;
  order_id: string | null;
  payload: string;
  outcome: string | null;
  received_at: Millis;
  processed_at: Millis | null;
}

export interface DonationsTable {
  id: string;
  user_sub: string | null;
  email: string | null;
  amount: number;
  currency: string;
  message: string;
  status: string;
  payment_ref: string | null;
  payment_intent: string | null;
  /** why the owner must look at it (needs_attention) */
  attention_reason: string | null;
  created_at: Millis;
  paid_at: Millis | null;
}

export interface ContactMessagesTable {
  id: Id;
  name: string;
  email: string;
  subject: string;
  message: string;
  user_sub: string | null;
  ip: string;
  created_at: Millis;
  /** open until the owner answers it (or marks it answered); migration 018 */
  status: ColumnType<string, string | undefined, string>;
  answered_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>;
}

/** The owner's replies to a contact message, in the order sent: the conversation kept. */
export interface ContactRepliesTable {
  id: Id;
  message_id: number;
  body: string;
  author_email: string;
  created_at: Millis;
}

/** A category's former slug: /category/<old_slug> answers a 301 to the category's current one. */
export interface CategoryRedirectsTable {
  old_slug: string;
  category_id: number;
  created_at: Millis;
}

export interface SessionsTable {
  id: string; // hash of the cookie's token: a database leak does not leak live cookies
  user_sub: string;
  email: string;
  name: string;
  roles: string; // JSON array
  tokens_encrypted: string;
  access_expires_at: Millis;
  created_at: Millis;
  last_seen_at: Millis;
  expires_at: Millis;
  /** While set and in the future, one request holds the right to refresh this session's tokens. */
  refresh_lease_until: Millis | null;
}

/** A login in progress: `id` is a hash of `state`; the payload (PKCE verifier, nonce, returnTo) is encrypted. */
export interface LoginTransactionsTable {
  id: string;
  browser_hash: string;
  payload_encrypted: string;
  created_at: Millis;
  expires_at: Millis;
}

export interface MailOutboxTable {
  id: Id;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  /** where the recipient's "Reply" goes, when not to the sender */
  reply_to: ColumnType<string | null, string | null | undefined, string | null>;
  attempts: Generated<number>;
  next_attempt_at: Millis;
  locked_until: Millis | null;
  sent_at: Millis | null;
  last_error: string | null;
  created_at: Millis;
}

/** The catalog's distinct words, folded (lower-case, no accents): what a typo is matched against. */
export interface SearchWordsTable {
  word: string;
}

/** SQLite only: each search word's trigrams ('^ca', 'caf', 'afe', 'fe$'), to find a typo's candidates. */
export interface SearchWordTrigramsTable {
  trigram: string;
  word: string;
}

export interface CountersTable {
  name: string;
  value: number;
}

/** One change the owner made in the admin; before/after are JSON (null when there is none). */
export interface OwnerAuditTable {
  id: Id;
  actor_sub: string;
  actor_email: string;
  action: string;
  subject: string;
  before: string | null;
  after: string | null;
  created_at: Millis;
}

/** A tax rate for a country and tax category from a day on; the latest row not after the order's day applies. */
export interface TaxRatesTable {
  id: Id;
  country: string; // ISO 3166-1 alpha-2, upper-case
  category: ColumnType<string, string | undefined, string>;
  /** basis points: 1900 is 19 % */
  rate_bp: number;
  valid_from: Millis;
  note: ColumnType<string, string | undefined, string>;
}

export type DiscountKind = 'percent' | 'fixed';

/** A discount code; JSON columns: amounts and min_subtotals `{"EUR":500}`, product_ids and category_ids `[1,2]` (null: any). */
export interface DiscountCodesTable {
  id: Id;
  code: string; // stored upper-case: codes are case-insensitive
  kind: DiscountKind;
  percent_bp: number | null;
  amounts: string | null;
  min_subtotals: string | null;
  product_ids: string | null;
  category_ids: string | null;
  starts_at: Millis | null;
  ends_at: Millis | null;
  max_uses: number | null;
  max_uses_per_buyer: number | null;
  /** redemptions held now (placed or paid orders); released ones are not counted */
  uses: ColumnType<number, number | undefined, number>;
  disabled_at: Millis | null;
  created_at: Millis;
}

export interface DiscountRedemptionsTable {
  id: Id;
  code_id: number;
  order_id: string;
  user_sub: string;
  status: 'held' | 'released';
  created_at: Millis;
  released_at: Millis | null;
}

/** The code a cart carries until checkout (owner_id as user_cart.user_id). */
export interface CartDiscountsTable {
  owner_id: string;
  code: string;
  added_at: Millis;
}

/** One refund's credit note; `lines` is JSON `[{sku,name,units,rateBp,net,tax,gross}]`. */
export interface CreditNotesTable {
  id: Id;
  series: string;
  number: number;
  order_id: string;
  refund_ref: string | null;
  currency: string;
  lines: string;
  net: number;
  tax: number;
  total: number;
  reason: ColumnType<string, string | undefined, string>;
  created_at: Millis;
}

export interface DB {
  products: ProductsTable;
  categories: CategoriesTable;
  product_categories: ProductCategoriesTable;
  product_images: ProductImagesTable;
  license_keys: LicenseKeysTable;
  product_files: ProductFilesTable;
  user_cart: UserCartTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_events: OrderEventsTable;
  delivered_keys: DeliveredKeysTable;
  key_reveals: KeyRevealsTable;
  license_activations: LicenseActivationsTable;
  download_grants: DownloadGrantsTable;
  download_log: DownloadLogTable;
  download_transfers: DownloadTransfersTable;
  payment_events: PaymentEventsTable;
  donations: DonationsTable;
  contact_messages: ContactMessagesTable;
  sessions: SessionsTable;
  login_transactions: LoginTransactionsTable;
  mail_outbox: MailOutboxTable;
  counters: CountersTable;
  search_words: SearchWordsTable;
  search_word_trigrams: SearchWordTrigramsTable;
  owner_audit: OwnerAuditTable;
  category_redirects: CategoryRedirectsTable;
  contact_replies: ContactRepliesTable;
  tax_rates: TaxRatesTable;
  discount_codes: DiscountCodesTable;
  discount_redemptions: DiscountRedemptionsTable;
  cart_discounts: CartDiscountsTable;
  credit_notes: CreditNotesTable;
}

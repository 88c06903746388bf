import type { FragmentCache } from '../platform/fragments.js';

/** What every page's layout needs besides its own data. */
export interface ViewContext {
  shopName: string;
  categories: { slug: string; name: string }[];
  user: { name: string; email: string; isOwner?: boolean } | null;
  cartCount: number;
  /** The path of this request, for "current page" marks and login return paths. */
  path: string;
  searchQuery?: string;
  /** Beside a price: "incl. VAT" or "plus VAT" as the shop is configured, empty where no tax is charged. */
  taxNote?: string;
  /** Where the layout and pages keep rendered HTML that many requests share (one per app). */
  fragments: FragmentCache;
}

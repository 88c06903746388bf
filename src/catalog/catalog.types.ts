import type { ProductStatus, ProductType } from '../platform/db/schema.js';
import type { Pagination } from '../platform/pagination.js';
import type { ProductCardRow } from './catalog.repo.js';
import type { StockState } from './stock.js';

/** A product as the cart sees it: any status, current price, and keys left (null: never runs out). */
export interface CartProduct {
  id: number;
  sku: string;
  name: string;
  type: ProductType;
  status: ProductStatus;
  price: number;
  currency: string;
  available: number | null;
}

export interface NavCategory {
  slug: string;
  name: string;
}
export interface ProductImage {
  url: string;
  alt: string;
  /** Uploaded images: the size of `url` (so the page keeps its space) and srcsets per type, AVIF first. */
  width?: number;
  height?: number;
  sources?: readonly { type: string; srcset: string }[];
}
/** What a product's card shows, stock aside; views keep its HTML by id and `updatedAt`. */
export interface CardProduct extends Omit<ProductCardRow, 'updated_at'> {
  /** When the product last changed (epoch ms): with the id, the key of anything rendered from it. */
  updatedAt: number;
  image: ProductImage | null;
}
/** A product in a list (home, category and search pages): its card, and stock read live. */
export interface ListedProduct {
  product: Readonly<CardProduct>;
  stock: StockState;
}
/** What a product's page shows, stock aside; frozen and shared while cached. */
export interface ProductDetail extends CardProduct {
  descriptionHtml: string;
  specs: readonly (readonly [string, string])[];
  images: readonly ProductImage[];
}
/** A product's page: its detail, and stock read live. */
export interface ProductPage {
  product: Readonly<ProductDetail>;
  stock: StockState;
}
export interface SearchResults {
  /** The query as shown back to the user (trimmed, at most 200 characters). */
  query: string;
  products: ListedProduct[];
  /** Null when there was nothing to search for. */
  pagination: Pagination | null;
  /** More products matched than are ranked; the user should narrow the search. */
  capped: boolean;
  /** The query with its typos corrected, when only that found products ("Did you mean …"). */
  suggestion: string | null;
}

// What other domains may know of an order (its row types and the owner's search), without importing its repository.
export type { NewOrder, NewOrderItem, OrderItemRow, OrderRow } from './orders.repo.js';
export type { OrderSearch } from './orders-search.repo.js';

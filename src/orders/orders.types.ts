// What other domains may know of an order (its row types and the owner's search), without importing its repository.
export type { NewOrder, NewOrderItem, OrderItemRow, OrderRow, OrderSearch } from './orders.repo.js';

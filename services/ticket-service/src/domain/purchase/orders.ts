import type { PrismaClient } from '../../generated/prisma/client.ts';
import { notFound } from '../errors.ts';
import { orderInclude, orderViews } from '../orders/order-view.ts';

async function findOrder(db: PrismaClient, orderId: string) {
  const order = await db.order.findUnique({ where: { id: orderId }, include: orderInclude });
  if (!order) throw notFound('order');
  return order;
}

async function viewOf(db: PrismaClient, order: Awaited<ReturnType<typeof findOrder>>) {
  const [view] = await orderViews(db, [order]);
  return view as NonNullable<typeof view>;
}

export async function loadOrder(db: PrismaClient, orderId: string) {
  return viewOf(db, await findOrder(db, orderId));
}

export type OrderView = Awaited<ReturnType<typeof loadOrder>>;

/** The buyer's purchase history, newest first. */
export async function listOwnOrders(db: PrismaClient, userId: string) {
  const orders = await db.order.findMany({
    where: { userId },
    include: orderInclude,
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    take: 500,
  });
  return { items: await orderViews(db, orders) };
}

/** One order: the buyer's own, or any for an admin; others' orders do not exist. */
export async function getOrder(db: PrismaClient, viewer: { id: string; role: string }, orderId: string) {
  const order = await findOrder(db, orderId);
  if (viewer.role !== 'admin' && order.userId !== viewer.id) throw notFound('order');
  return viewOf(db, order);
}

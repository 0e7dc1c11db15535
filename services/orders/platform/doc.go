// Package platform turns what the sales platforms send into erphub's canonical [Order],
// verifies their webhook signatures and talks to their order APIs: it pulls changed orders
// ([Puller]), confirms shipments ([Shipper]) and sets stock levels ([StockSetter]). It knows
// nothing about databases; callers persist what it returns.
//
// Supported platforms and the documentation each adapter follows:
//
//   - Taobao and Tmall through the Taobao Open Platform (TOP) router, [Taobao]: "API调用方法详解"
//     (signing, common parameters), taobao.trades.sold.increment.get, taobao.trade.fullinfo.get,
//     taobao.logistics.offline.send, taobao.skus.custom.get, taobao.items.custom.get and
//     taobao.item.quantity.update.
//   - Pinduoduo open platform (POP) router, [Pinduoduo]: the 接入指南 signing rules,
//     pdd.order.number.list.increment.get, pdd.logistics.online.send, pdd.goods.list.get and
//     pdd.goods.quantity.update, and the common error table printed on every API page
//     ("返回错误码说明").
//   - JD 宙斯 / JOS routerjson gateway, [JD]: the developer guide's signing rules (listId=2643),
//     jingdong.pop.order.search, jingdong.pop.order.shipment, jingdong.sku.read.searchSkuList and
//     jingdong.stock.write.updateSkuStock.
//   - Shopify Admin REST API 2024-07, [Shopify]: Order, FulfillmentOrder, Fulfillment,
//     Location and InventoryLevel resources, cursor pagination ("Make paginated requests to
//     the REST Admin API"), rate limits ("Shopify API rate limits") and, for the SKU lookup
//     only, the GraphQL Admin API productVariants query; webhooks ("Deliver webhooks through
//     HTTPS": HMAC verification).
//   - WooCommerce REST API v3 order resource and webhooks ("Webhooks - Delivery/payload").
//
// Money is int64 minor units of the order's currency and is never carried in a float: every
// amount, whether the platform sends it as a JSON string ("128.50") or a JSON number (128.5),
// is kept as its decimal text and converted by [ParseMinor]. Quantities are milli-units.
// Platform times are converted to UTC; the Chinese platforms write wall-clock time in
// Beijing time (UTC+8, no daylight saving since 1991), which the package applies as a fixed
// offset so that it does not depend on the host's time-zone database.
package platform

// Texts in English and Chinese. The language starts from the browser's (navigator.language)
// unless the user picked one with the toggle; t(key, vars) fills {name} placeholders.
const texts = {
  en: {
    'lang.other': '中文',
    'nav.inbox': 'Approvals', 'nav.scan': 'Scan', 'nav.dashboard': 'Dashboard', signout: 'Sign out',
    'login.title': 'Sign in to erphub', 'login.username': 'Username', 'login.password': 'Password',
    'login.submit': 'Sign in', 'login.busy': 'Signing in…',
    'err.network': 'The server cannot be reached. Check the connection and try again.',
    'err.session': 'Your session ended. Please sign in again.',
    'inbox.title': 'Approvals waiting for you', 'inbox.empty': 'Nothing is waiting for a decision.',
    'inbox.unavailable': 'Approvals are not available on this server yet.',
    'inbox.updated': 'Updated {time}; refreshes every few seconds.',
    'inbox.amount': 'Amount', 'inbox.party': 'Party', 'inbox.lines': 'Lines', 'inbox.why': 'Why approval',
    'inbox.margin': 'Margin', 'inbox.cost': 'cost', 'inbox.credit': 'Credit', 'inbox.owed': 'owes', 'inbox.limit': 'limit',
    'inbox.over': 'over by', 'inbox.noLimit': 'no limit', 'inbox.belowFloor': 'Below floor price',
    'inbox.step': 'Step', 'inbox.maker': 'Made by', 'inbox.flow': 'Flow', 'inbox.history': 'History',
    'inbox.nohistory': 'No decisions yet.', 'inbox.comment': 'Comment (optional)',
    'inbox.approve': 'Approve', 'inbox.reject': 'Reject', 'inbox.confirmApprove': 'Confirm approval',
    'inbox.confirmReject': 'Confirm rejection', 'inbox.cancel': 'Cancel', 'inbox.approved': 'Approved {doc}.', 'inbox.rejected': 'Rejected {doc}; it goes back to its maker.',
    'inbox.user': 'user {id}', 'inbox.item': 'item', 'inbox.qty': 'Qty', 'inbox.price': 'Price',
    'doc.purchase_order': 'Purchase order', 'doc.delivery_order': 'Delivery order',
    'doc.supplier_payment': 'Supplier payment', 'doc.statement_write_off': 'Statement write-off',
    'doc.price_below_floor': 'Delivery order below floor price', 'doc.over_credit_limit': 'Delivery order over credit limit',
    'doc.stock_adjustment': 'Stock adjustment', 'doc.stocktake': 'Stocktake differences', 'doc.voucher': 'Voucher',
    'scan.title': 'Warehouse scanning', 'scan.pick': 'Pick a document to scan',
    'scan.deliveries': 'Open delivery orders', 'scan.purchases': 'Open purchase orders', 'scan.none': 'None open.',
    'scan.input': 'Scan or type a code', 'scan.ready': 'Ready to scan',
    'scan.accepted': 'ACCEPTED', 'scan.refused': 'REFUSED', 'scan.undone': 'UNDONE',
    'scan.undo': 'Undo last scan', 'scan.camera': 'Camera', 'scan.stopCamera': 'Stop camera',
    'scan.complete': 'Complete', 'scan.partial': 'Complete partially', 'scan.back': 'Other document',
    'scan.completed': 'Posted. Stock document {doc}.', 'scan.progress': 'Progress',
    'scan.line': '{sku}: {done} of {ordered}', 'scan.item': 'Item', 'scan.done': 'Done', 'scan.ordered': 'Ordered',
    'scan.log': 'This session',
    'dash.title': 'Today', 'dash.orders': 'Orders today', 'dash.sales': 'Sales today',
    'dash.byChannel': 'Sales per channel today', 'dash.exceptions': 'Orders in exception',
    'dash.held': 'Held for review', 'dash.outOfStock': 'Waiting for stock', 'dash.approvals': 'Pending approvals',
    'dash.expiring': 'Lots expiring within 30 days', 'dash.overdue': 'Overdue receivables',
    'dash.aging': 'Receivables by age', 'dash.noSales': 'No sales yet today.', 'dash.lot': 'Lot',
    'dash.expiry': 'Expiry', 'dash.daysLeft': 'Days left', 'dash.value': 'Value', 'dash.onHand': 'On hand', 'dash.noLots': 'No lot expires within 30 days.', 'dash.na': '—',
    'dash.reorder': 'Reorder alerts', 'dash.noReorder': 'Nothing to reorder or move.', 'dash.kind': 'What', 'dash.where': 'Where',
    'dash.confirm': 'Confirm', 'dash.confirmed': 'confirmed',
    'reorder.order': 'Order', 'reorder.transfer': 'Move', 'reorder.expiry': 'Expires unsold',
    'age.notDue': 'Not due', 'age.upTo30': '1–30 d', 'age.from31To60': '31–60 d', 'age.from61To90': '61–90 d', 'age.over90': '> 90 d',
    'reason.UNKNOWN_BARCODE': 'Unknown barcode', 'reason.NOT_ON_ORDER': 'Not on this order',
    'reason.OVER_QUANTITY': 'More than ordered', 'reason.LOT_REQUIRED': 'Lot number needed',
    'reason.LOT_EXPIRED': 'Lot expired', 'reason.LOT_SHORT_DATED': 'Too close to expiry for the customer',
    'reason.NOT_FEFO': 'An earlier-expiring lot should go first', 'reason.BAD_BARCODE': 'Unreadable barcode',
    'reason.QUANTITY_REQUIRED': 'Quantity needed', 'reason.INSUFFICIENT_STOCK': 'Not enough stock',
    'reason.LOT_MISMATCH': 'Lot expiry differs from the one on file',
  },
  zh: {
    'lang.other': 'English',
    'nav.inbox': '审批', 'nav.scan': '扫码', 'nav.dashboard': '看板', signout: '退出',
    'login.title': '登录 erphub', 'login.username': '用户名', 'login.password': '密码',
    'login.submit': '登录', 'login.busy': '正在登录…',
    'err.network': '无法连接服务器，请检查网络后重试。',
    'err.session': '登录已过期，请重新登录。',
    'inbox.title': '待我审批', 'inbox.empty': '没有待审批的单据。',
    'inbox.unavailable': '此服务器尚未提供审批功能。',
    'inbox.updated': '更新于 {time}，每隔几秒自动刷新。',
    'inbox.amount': '金额', 'inbox.party': '往来单位', 'inbox.lines': '明细', 'inbox.why': '触发条件',
    'inbox.margin': '毛利', 'inbox.cost': '成本', 'inbox.credit': '信用', 'inbox.owed': '欠款', 'inbox.limit': '额度',
    'inbox.over': '超出', 'inbox.noLimit': '无额度', 'inbox.belowFloor': '低于底价',
    'inbox.step': '步骤', 'inbox.maker': '制单人', 'inbox.flow': '流程', 'inbox.history': '审批记录',
    'inbox.nohistory': '尚无审批记录。', 'inbox.comment': '意见（可选）',
    'inbox.approve': '同意', 'inbox.reject': '驳回', 'inbox.confirmApprove': '确认同意',
    'inbox.confirmReject': '确认驳回', 'inbox.cancel': '取消', 'inbox.approved': '已同意 {doc}。', 'inbox.rejected': '已驳回 {doc}，退回制单人。',
    'inbox.user': '用户 {id}', 'inbox.item': '商品', 'inbox.qty': '数量', 'inbox.price': '单价',
    'doc.purchase_order': '采购订单', 'doc.delivery_order': '送货单',
    'doc.supplier_payment': '付款单', 'doc.statement_write_off': '对账差异核销',
    'doc.price_below_floor': '低于底价的送货单', 'doc.over_credit_limit': '超信用额度的送货单',
    'doc.stock_adjustment': '库存调整', 'doc.stocktake': '盘点差异', 'doc.voucher': '记账凭证',
    'scan.title': '仓库扫码', 'scan.pick': '选择要扫码的单据',
    'scan.deliveries': '未完成的送货单', 'scan.purchases': '未完成的采购订单', 'scan.none': '暂无。',
    'scan.input': '扫码或输入条码', 'scan.ready': '请扫码',
    'scan.accepted': '通过', 'scan.refused': '拒收', 'scan.undone': '已撤销',
    'scan.undo': '撤销上一次扫码', 'scan.camera': '摄像头', 'scan.stopCamera': '关闭摄像头',
    'scan.complete': '完成', 'scan.partial': '部分完成', 'scan.back': '换一张单据',
    'scan.completed': '已过账，库存单据 {doc}。', 'scan.progress': '进度',
    'scan.line': '{sku}：{done} / {ordered}', 'scan.item': '商品', 'scan.done': '已扫', 'scan.ordered': '应扫',
    'scan.log': '本次扫码',
    'dash.title': '今日', 'dash.orders': '今日订单', 'dash.sales': '今日销售额',
    'dash.byChannel': '今日各渠道销售额', 'dash.exceptions': '异常订单',
    'dash.held': '待审核', 'dash.outOfStock': '缺货待发', 'dash.approvals': '待审批',
    'dash.expiring': '30 天内到期批次', 'dash.overdue': '逾期应收',
    'dash.aging': '应收账龄', 'dash.noSales': '今日暂无销售。', 'dash.lot': '批次',
    'dash.expiry': '到期日', 'dash.daysLeft': '剩余天数', 'dash.value': '金额', 'dash.onHand': '库存', 'dash.noLots': '30 天内没有到期的批次。', 'dash.na': '—',
    'dash.reorder': '补货预警', 'dash.noReorder': '暂无需要采购或调拨的商品。', 'dash.kind': '类型', 'dash.where': '仓库',
    'dash.confirm': '确认', 'dash.confirmed': '已确认',
    'reorder.order': '采购', 'reorder.transfer': '调拨', 'reorder.expiry': '临期滞销',
    'age.notDue': '未到期', 'age.upTo30': '1–30 天', 'age.from31To60': '31–60 天', 'age.from61To90': '61–90 天', 'age.over90': '90 天以上',
    'reason.UNKNOWN_BARCODE': '未知条码', 'reason.NOT_ON_ORDER': '不在本单上',
    'reason.OVER_QUANTITY': '超出应收/应发数量', 'reason.LOT_REQUIRED': '需要批号',
    'reason.LOT_EXPIRED': '批次已过期', 'reason.LOT_SHORT_DATED': '剩余保质期不满足客户要求',
    'reason.NOT_FEFO': '应先发更早到期的批次', 'reason.BAD_BARCODE': '条码无法识别',
    'reason.QUANTITY_REQUIRED': '需要数量', 'reason.INSUFFICIENT_STOCK': '库存不足',
    'reason.LOT_MISMATCH': '批次到期日与记录不符',
  },
};

let current = pick();

function pick() {
  let saved = null;
  try { saved = localStorage.getItem('erp.lang'); } catch { /* storage may be off */ }
  if (saved === 'zh' || saved === 'en') return saved;
  return (navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function lang() { return current; }

export function setLang(l) {
  current = l === 'zh' ? 'zh' : 'en';
  try { localStorage.setItem('erp.lang', current); } catch { /* ignore */ }
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
}

export function t(key, vars) {
  let s = texts[current][key] ?? texts.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split('{' + k + '}').join(String(v));
  return s;
}

// has tells whether a key has a text (for optional ones such as refusal reasons).
export function has(key) { return key in texts[current]; }

// translate fills every element with data-i18n under root.
export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

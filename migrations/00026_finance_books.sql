-- +goose Up
-- Finance: the chart of accounts, the books, periods, vouchers and balances.
--
-- Accounts are keyed by their code; a detail account extends its parent's code by two
-- digits. category: asset, liability, equity, cost, profit_loss (小企业会计准则 会计科目
-- 表: 资产类, 负债类, 所有者权益类, 成本类, 损益类). balance_side is the normal side.
-- dimensions lists the auxiliary dimensions a line on the account must carry (customer,
-- supplier, branch, item, employee, warehouse). posted is set at the first posting: such an
-- account cannot be deleted (only disabled) and takes no detail accounts.
CREATE TABLE accounts (
  code         VARCHAR(20)  NOT NULL,
  name         VARCHAR(100) NOT NULL,
  parent_code  VARCHAR(20)  NOT NULL DEFAULT '',
  level        INT          NOT NULL,
  category     VARCHAR(16)  NOT NULL,
  balance_side VARCHAR(6)   NOT NULL,
  dimensions   VARCHAR(100) NOT NULL DEFAULT '',
  enabled      TINYINT(1)   NOT NULL DEFAULT 1,
  posted       TINYINT(1)   NOT NULL DEFAULT 0,
  children     INT          NOT NULL DEFAULT 0,
  created_at   DATETIME(6)  NOT NULL,
  updated_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (code),
  KEY ix_accounts_parent (parent_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The 66 first-level accounts of 小企业会计准则 (财会〔2011〕17号, 附录 会计科目、主要账务处
-- 理和财务报表), with the normal balance side of each; 1602, 1622 and 1702 are contra
-- assets (credit), 1407 commodity price differences (credit).
INSERT INTO accounts (code, name, level, category, balance_side, created_at, updated_at) VALUES
('1001','库存现金',1,'asset','debit',NOW(6),NOW(6)),
('1002','银行存款',1,'asset','debit',NOW(6),NOW(6)),
('1012','其他货币资金',1,'asset','debit',NOW(6),NOW(6)),
('1101','短期投资',1,'asset','debit',NOW(6),NOW(6)),
('1121','应收票据',1,'asset','debit',NOW(6),NOW(6)),
('1122','应收账款',1,'asset','debit',NOW(6),NOW(6)),
('1123','预付账款',1,'asset','debit',NOW(6),NOW(6)),
('1131','应收股利',1,'asset','debit',NOW(6),NOW(6)),
('1132','应收利息',1,'asset','debit',NOW(6),NOW(6)),
('1221','其他应收款',1,'asset','debit',NOW(6),NOW(6)),
('1401','材料采购',1,'asset','debit',NOW(6),NOW(6)),
('1402','在途物资',1,'asset','debit',NOW(6),NOW(6)),
('1403','原材料',1,'asset','debit',NOW(6),NOW(6)),
('1404','材料成本差异',1,'asset','debit',NOW(6),NOW(6)),
('1405','库存商品',1,'asset','debit',NOW(6),NOW(6)),
('1407','商品进销差价',1,'asset','credit',NOW(6),NOW(6)),
('1408','委托加工物资',1,'asset','debit',NOW(6),NOW(6)),
('1411','周转材料',1,'asset','debit',NOW(6),NOW(6)),
('1421','消耗性生物资产',1,'asset','debit',NOW(6),NOW(6)),
('1501','长期债券投资',1,'asset','debit',NOW(6),NOW(6)),
('1511','长期股权投资',1,'asset','debit',NOW(6),NOW(6)),
('1601','固定资产',1,'asset','debit',NOW(6),NOW(6)),
('1602','累计折旧',1,'asset','credit',NOW(6),NOW(6)),
('1604','在建工程',1,'asset','debit',NOW(6),NOW(6)),
('1605','工程物资',1,'asset','debit',NOW(6),NOW(6)),
('1606','固定资产清理',1,'asset','debit',NOW(6),NOW(6)),
('1621','生产性生物资产',1,'asset','debit',NOW(6),NOW(6)),
('1622','生产性生物资产累计折旧',1,'asset','credit',NOW(6),NOW(6)),
('1701','无形资产',1,'asset','debit',NOW(6),NOW(6)),
('1702','累计摊销',1,'asset','credit',NOW(6),NOW(6)),
('1801','长期待摊费用',1,'asset','debit',NOW(6),NOW(6)),
('1901','待处理财产损溢',1,'asset','debit',NOW(6),NOW(6)),
('2001','短期借款',1,'liability','credit',NOW(6),NOW(6)),
('2201','应付票据',1,'liability','credit',NOW(6),NOW(6)),
('2202','应付账款',1,'liability','credit',NOW(6),NOW(6)),
('2203','预收账款',1,'liability','credit',NOW(6),NOW(6)),
('2211','应付职工薪酬',1,'liability','credit',NOW(6),NOW(6)),
('2221','应交税费',1,'liability','credit',NOW(6),NOW(6)),
('2231','应付利息',1,'liability','credit',NOW(6),NOW(6)),
('2232','应付利润',1,'liability','credit',NOW(6),NOW(6)),
('2241','其他应付款',1,'liability','credit',NOW(6),NOW(6)),
('2401','递延收益',1,'liability','credit',NOW(6),NOW(6)),
('2501','长期借款',1,'liability','credit',NOW(6),NOW(6)),
('2701','长期应付款',1,'liability','credit',NOW(6),NOW(6)),
('3001','实收资本',1,'equity','credit',NOW(6),NOW(6)),
('3002','资本公积',1,'equity','credit',NOW(6),NOW(6)),
('3101','盈余公积',1,'equity','credit',NOW(6),NOW(6)),
('3103','本年利润',1,'equity','credit',NOW(6),NOW(6)),
('3104','利润分配',1,'equity','credit',NOW(6),NOW(6)),
('4001','生产成本',1,'cost','debit',NOW(6),NOW(6)),
('4101','制造费用',1,'cost','debit',NOW(6),NOW(6)),
('4301','研发支出',1,'cost','debit',NOW(6),NOW(6)),
('4401','工程施工',1,'cost','debit',NOW(6),NOW(6)),
('4403','机械作业',1,'cost','debit',NOW(6),NOW(6)),
('5001','主营业务收入',1,'profit_loss','credit',NOW(6),NOW(6)),
('5051','其他业务收入',1,'profit_loss','credit',NOW(6),NOW(6)),
('5111','投资收益',1,'profit_loss','credit',NOW(6),NOW(6)),
('5301','营业外收入',1,'profit_loss','credit',NOW(6),NOW(6)),
('5401','主营业务成本',1,'profit_loss','debit',NOW(6),NOW(6)),
('5402','其他业务成本',1,'profit_loss','debit',NOW(6),NOW(6)),
('5403','税金及附加',1,'profit_loss','debit',NOW(6),NOW(6)),
('5601','销售费用',1,'profit_loss','debit',NOW(6),NOW(6)),
('5602','管理费用',1,'profit_loss','debit',NOW(6),NOW(6)),
('5603','财务费用',1,'profit_loss','debit',NOW(6),NOW(6)),
('5711','营业外支出',1,'profit_loss','debit',NOW(6),NOW(6)),
('5801','所得税费用',1,'profit_loss','debit',NOW(6),NOW(6));

-- 应交税费 as 财会〔2016〕22号 (增值税会计处理规定) lays it out: 222101 应交增值税 with its
-- columns (专栏) as third-level accounts, and the other VAT sub-accounts. Other taxes
-- (surcharges, income tax) are the company's own detail accounts under 2221.
INSERT INTO accounts (code, name, parent_code, level, category, balance_side, created_at, updated_at) VALUES
('222101','应交增值税','2221',2,'liability','credit',NOW(6),NOW(6)),
('22210101','进项税额','222101',3,'liability','credit',NOW(6),NOW(6)),
('22210102','销项税额抵减','222101',3,'liability','credit',NOW(6),NOW(6)),
('22210103','已交税金','222101',3,'liability','credit',NOW(6),NOW(6)),
('22210104','转出未交增值税','222101',3,'liability','credit',NOW(6),NOW(6)),
('22210105','减免税款','222101',3,'liability','credit',NOW(6),NOW(6)),
('22210106','出口抵减内销产品应纳税额','222101',3,'liability','credit',NOW(6),NOW(6)),
('22210107','销项税额','222101',3,'liability','credit',NOW(6),NOW(6)),
('22210108','出口退税','222101',3,'liability','credit',NOW(6),NOW(6)),
('22210109','进项税额转出','222101',3,'liability','credit',NOW(6),NOW(6)),
('22210110','转出多交增值税','222101',3,'liability','credit',NOW(6),NOW(6)),
('222102','未交增值税','2221',2,'liability','credit',NOW(6),NOW(6)),
('222103','预交增值税','2221',2,'liability','credit',NOW(6),NOW(6)),
('222104','待抵扣进项税额','2221',2,'liability','credit',NOW(6),NOW(6)),
('222105','待认证进项税额','2221',2,'liability','credit',NOW(6),NOW(6)),
('222106','待转销项税额','2221',2,'liability','credit',NOW(6),NOW(6)),
('222107','增值税留抵税额','2221',2,'liability','credit',NOW(6),NOW(6)),
('222108','简易计税','2221',2,'liability','credit',NOW(6),NOW(6)),
('222109','转让金融商品应交增值税','2221',2,'liability','credit',NOW(6),NOW(6)),
('222110','代扣代交增值税','2221',2,'liability','credit',NOW(6),NOW(6));
UPDATE accounts SET children = 10 WHERE code = '2221';
UPDATE accounts SET children = 10 WHERE code = '222101';
-- receivables name the customer, payables the supplier
UPDATE accounts SET dimensions = 'customer' WHERE code IN ('1122', '2203');
UPDATE accounts SET dimensions = 'supplier' WHERE code IN ('1123', '2202');

-- The books: one set per database, set up once.
CREATE TABLE books (
  id             INT          NOT NULL,
  start_period   INT          NOT NULL,
  voucher_words  VARCHAR(200) NOT NULL,
  initialized_by BIGINT       NOT NULL DEFAULT 0,
  initialized_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Periods are calendar months (YYYYMM) from the start period on; a row exists once the
-- period is used. Posting locks its period's row, so a close cannot slip in between.
CREATE TABLE periods (
  period                INT         NOT NULL,
  status                VARCHAR(8)  NOT NULL DEFAULT 'open',
  cost_run_at           DATETIME(6) NULL,
  depreciation_voucher  BIGINT      NOT NULL DEFAULT 0,
  carry_forward_voucher BIGINT      NOT NULL DEFAULT 0,
  closed_by             BIGINT      NOT NULL DEFAULT 0,
  closed_at             DATETIME(6) NULL,
  reopened_by           BIGINT      NOT NULL DEFAULT 0,
  reopened_at           DATETIME(6) NULL,
  PRIMARY KEY (period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Vouchers (记账凭证). number is gap-free per (period, word): taken from voucher_numbers;
-- a deleted draft's number goes to voucher_free_numbers and is the next one given out.
-- kind: manual, generated (from a business document), reversal, carry_forward,
-- depreciation, cost_adjustment, asset. Posted vouchers never change.
CREATE TABLE vouchers (
  id               BIGINT       NOT NULL AUTO_INCREMENT,
  period           INT          NOT NULL,
  voucher_date     DATE         NOT NULL,
  word             VARCHAR(8)   NOT NULL,
  number           INT          NOT NULL,
  summary          VARCHAR(255) NOT NULL DEFAULT '',
  attachment_count INT          NOT NULL DEFAULT 0,
  status           VARCHAR(10)  NOT NULL,
  kind             VARCHAR(16)  NOT NULL,
  branch_id        BIGINT       NOT NULL DEFAULT 0,
  reversal_of      BIGINT       NOT NULL DEFAULT 0,
  reversed_by      BIGINT       NOT NULL DEFAULT 0,
  source_type      VARCHAR(24)  NOT NULL DEFAULT '',
  source_id        BIGINT       NOT NULL DEFAULT 0,
  source_number    VARCHAR(40)  NOT NULL DEFAULT '',
  template_id      BIGINT       NOT NULL DEFAULT 0,
  template_version INT          NOT NULL DEFAULT 0,
  total            BIGINT       NOT NULL DEFAULT 0,
  made_by          BIGINT       NOT NULL DEFAULT 0,
  approved_by      BIGINT       NOT NULL DEFAULT 0,
  posted_by        BIGINT       NOT NULL DEFAULT 0,
  made_at          DATETIME(6)  NOT NULL,
  approved_at      DATETIME(6)  NULL,
  posted_at        DATETIME(6)  NULL,
  version          INT          NOT NULL DEFAULT 1,
  PRIMARY KEY (id),
  UNIQUE KEY uk_vouchers_number (period, word, number),
  KEY ix_vouchers_status (status, period, id),
  KEY ix_vouchers_period (period, id),
  KEY ix_vouchers_source (source_type, source_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Voucher lines: debit or credit (a red amount is negative on its side), with dimensions
-- (0: none).
CREATE TABLE voucher_lines (
  voucher_id   BIGINT       NOT NULL,
  line_no      INT          NOT NULL,
  summary      VARCHAR(255) NOT NULL DEFAULT '',
  account_code VARCHAR(20)  NOT NULL,
  customer_id  BIGINT       NOT NULL DEFAULT 0,
  supplier_id  BIGINT       NOT NULL DEFAULT 0,
  branch_id    BIGINT       NOT NULL DEFAULT 0,
  item_id      BIGINT       NOT NULL DEFAULT 0,
  employee_id  BIGINT       NOT NULL DEFAULT 0,
  warehouse_id BIGINT       NOT NULL DEFAULT 0,
  debit        BIGINT       NOT NULL DEFAULT 0,
  credit       BIGINT       NOT NULL DEFAULT 0,
  PRIMARY KEY (voucher_id, line_no),
  KEY ix_voucher_lines_account (account_code, voucher_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE voucher_numbers (
  period  INT        NOT NULL,
  word    VARCHAR(8) NOT NULL,
  last_no INT        NOT NULL,
  PRIMARY KEY (period, word)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE voucher_free_numbers (
  period INT        NOT NULL,
  word   VARCHAR(8) NOT NULL,
  number INT        NOT NULL,
  PRIMARY KEY (period, word, number)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Posted amounts per leaf account, period and dimensions; closing = 1 holds the period-end
-- carry-forward, which the income statement leaves out. Opening balances of the books sit
-- in the period before the start period. Posting adds with one upsert per key.
CREATE TABLE account_balances (
  account_code VARCHAR(20) NOT NULL,
  period       INT         NOT NULL,
  closing      TINYINT(1)  NOT NULL DEFAULT 0,
  customer_id  BIGINT      NOT NULL DEFAULT 0,
  supplier_id  BIGINT      NOT NULL DEFAULT 0,
  branch_id    BIGINT      NOT NULL DEFAULT 0,
  item_id      BIGINT      NOT NULL DEFAULT 0,
  employee_id  BIGINT      NOT NULL DEFAULT 0,
  warehouse_id BIGINT      NOT NULL DEFAULT 0,
  debit        BIGINT      NOT NULL DEFAULT 0,
  credit       BIGINT      NOT NULL DEFAULT 0,
  PRIMARY KEY (account_code, period, closing, customer_id, supplier_id, branch_id, item_id, employee_id, warehouse_id),
  KEY ix_account_balances_period (period, account_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE account_balances;
DROP TABLE voucher_free_numbers;
DROP TABLE voucher_numbers;
DROP TABLE voucher_lines;
DROP TABLE vouchers;
DROP TABLE periods;
DROP TABLE books;
DROP TABLE accounts;

package finance

import (
	"context"
	"time"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/tabular"
)

// ReportRequest names a report to download.
type ReportRequest struct {
	Report  string // trialBalance, incomeStatement, balanceSheet, generalLedger, accountDetail
	Period  string
	Format  string // csv or xlsx
	Account string // generalLedger, accountDetail
	From    string // generalLedger (default: January of the period's year)
	Branch  int64
}

// Download is a rendered report.
type Download = tabular.Download

// ExportReport renders a report as CSV (UTF-8 with a byte-order mark, so spreadsheet
// programs read the Chinese names) or XLSX, amounts in yuan. Errors: Invalid, NotFound,
// Refused, Forbidden.
func (s *Service) ExportReport(ctx context.Context, r ReportRequest) (Download, error) {
	if r.Format != "csv" && r.Format != "xlsx" {
		return Download{}, apperr.Invalid("format", "must be csv or xlsx")
	}
	var rows [][]string
	var title string
	switch r.Report {
	case "trialBalance":
		tb, err := s.GetTrialBalance(ctx, r.Period, r.Branch)
		if err != nil {
			return Download{}, err
		}
		title = "科目余额表 " + tb.Period.String()
		rows = append(rows, []string{"科目编码", "科目名称", "期初借方", "期初贷方", "本期借方", "本期贷方", "期末借方", "期末贷方"})
		for _, x := range append(tb.Rows, tb.Totals) {
			rows = append(rows, []string{x.Account, x.Name, money.Yuan(x.OpeningDebit), money.Yuan(x.OpeningCredit),
				money.Yuan(x.PeriodDebit), money.Yuan(x.PeriodCredit), money.Yuan(x.ClosingDebit), money.Yuan(x.ClosingCredit)})
		}
	case "incomeStatement":
		lines, err := s.GetIncomeStatement(ctx, r.Period, r.Branch)
		if err != nil {
			return Download{}, err
		}
		title = "利润表 " + r.Period
		rows = append(rows, []string{"项目", "key", "本月金额", "本年累计金额"})
		for _, l := range lines {
			rows = append(rows, []string{l.Name, l.Key, money.Yuan(l.Current), money.Yuan(l.Earlier)})
		}
	case "balanceSheet":
		bs, err := s.GetBalanceSheet(ctx, r.Period, r.Branch)
		if err != nil {
			return Download{}, err
		}
		title = "资产负债表 " + bs.Period.String()
		rows = append(rows, []string{"项目", "key", "期末余额", "年初余额"})
		for _, l := range bs.Lines {
			rows = append(rows, []string{l.Name, l.Key, money.Yuan(l.Current), money.Yuan(l.Earlier)})
		}
		if !bs.Balanced {
			rows = append(rows, []string{"不平衡差额", "DIFFERENCE", money.Yuan(bs.Difference), ""})
		}
	case "generalLedger":
		p, err := ParsePeriod(r.Period, "period")
		if err != nil {
			return Download{}, err
		}
		from := r.From
		if from == "" {
			from = p.YearStart().String()
		}
		a, months, err := s.GetGeneralLedger(ctx, r.Account, from, r.Period, r.Branch)
		if err != nil {
			return Download{}, err
		}
		title = "总账 " + a.Code + " " + a.Name
		rows = append(rows, []string{"期间", "期初借方", "期初贷方", "本期借方", "本期贷方", "期末借方", "期末贷方"})
		for _, m := range months {
			rows = append(rows, []string{m.Period.String(), money.Yuan(m.OpeningDebit), money.Yuan(m.OpeningCredit), money.Yuan(m.Debit),
				money.Yuan(m.Credit), money.Yuan(m.ClosingDebit), money.Yuan(m.ClosingCredit)})
		}
	case "accountDetail":
		d, err := s.GetAccountDetail(ctx, r.Account, r.Period, Dims{Branch: r.Branch})
		if err != nil {
			return Download{}, err
		}
		title = "明细账 " + d.Account.Code + " " + d.Account.Name + " " + d.Period.String()
		rows = append(rows, []string{"日期", "凭证号", "科目", "摘要", "借方", "贷方", "余额"},
			[]string{d.Period.First().Format(time.DateOnly), "", "", "期初余额", "", "", money.Yuan(d.Opening)})
		for _, e := range d.Entries {
			rows = append(rows, []string{e.Date.Format(time.DateOnly), e.VoucherName, e.Account, e.Summary, money.Yuan(e.Debit),
				money.Yuan(e.Credit), money.Yuan(e.Balance)})
		}
		rows = append(rows, []string{d.Period.Last().Format(time.DateOnly), "", "", "期末余额", "", "", money.Yuan(d.Closing)})
	default:
		return Download{}, apperr.Invalid("report", "must be trialBalance, incomeStatement, balanceSheet, generalLedger or accountDetail")
	}
	return tabular.Render(r.Format, r.Report+"-"+r.Period, title, rows)
}

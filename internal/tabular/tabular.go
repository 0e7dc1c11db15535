// Package tabular renders a titled table as a download: CSV (UTF-8 with a byte-order mark,
// so spreadsheet programs read Chinese text) or XLSX, where cells that are amounts in yuan
// become numbers written from their exact decimal text (nothing goes through floating
// point).
package tabular

import (
	"bytes"
	"encoding/csv"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// Download is a rendered file.
type Download struct {
	ContentType string
	FileName    string
	Data        []byte
}

// Render writes the title in the first row and rows below it, as format (csv or xlsx)
// says; name is the file name without extension.
func Render(format, name, title string, rows [][]string) (Download, error) {
	if format == "csv" {
		var b bytes.Buffer
		b.WriteString("\ufeff")
		w := csv.NewWriter(&b)
		if err := w.Write([]string{title}); err != nil {
			return Download{}, err
		}
		if err := w.WriteAll(rows); err != nil {
			return Download{}, err
		}
		return Download{ContentType: "text/csv; charset=utf-8", FileName: name + ".csv", Data: b.Bytes()}, nil
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	if err := f.SetCellValue(sheet, "A1", title); err != nil {
		return Download{}, err
	}
	for i, row := range rows {
		for j, v := range row {
			cell, err := excelize.CoordinatesToCellName(j+1, i+2)
			if err != nil {
				return Download{}, err
			}
			if i > 0 && LooksLikeAmount(v) {
				err = f.SetCellDefault(sheet, cell, v)
			} else {
				err = f.SetCellStr(sheet, cell, v)
			}
			if err != nil {
				return Download{}, err
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return Download{}, fmt.Errorf("xlsx: %w", err)
	}
	return Download{ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", FileName: name + ".xlsx",
		Data: b.Bytes()}, nil
}

// LooksLikeAmount reports whether a cell is money.Yuan output (digits, a dot, two
// decimals), not a code or a date.
func LooksLikeAmount(v string) bool {
	if len(v) < 4 || v[len(v)-3] != '.' {
		return false
	}
	for i, c := range v {
		if !(c >= '0' && c <= '9' || c == '.' && i == len(v)-3 || c == '-' && i == 0) {
			return false
		}
	}
	return true
}

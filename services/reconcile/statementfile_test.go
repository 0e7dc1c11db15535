package reconcile

import (
	"errors"
	"testing"
)

var fuzzProfile = Profile{Format: "csv", Columns: map[string]string{"recordType": "type", "documentDate": "date",
	"receivedQuantity": "qty", "unitPrice": "price", "taxRate": "rate", "amount": "amount", "gtin": "gtin"},
	RecordTypes: map[string]string{"R": "RECEIPT", "F": "FEE"}}

func TestParseStatementCells(t *testing.T) {
	rows, err := parseStatement(fuzzProfile, []byte("\ufefftype,date,qty,price,rate,amount,gtin\n"+
		"R,2026/11/03,\"1,250.5\",¥39.90,9%,\"（1,234.56）\",06923456000209\n,,,,,,\nF,20261104,,,0.06,-12,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || *rows[0].Received != 1250500 || *rows[0].UnitPrice != 3990 || *rows[0].TaxRate != 900 ||
		rows[0].Amount != -123456 || rows[0].DocumentDate.Format("2006-01-02") != "2026-11-03" || rows[1].Row != 4 ||
		*rows[1].TaxRate != 600 || rows[1].Amount != -1200 || rows[1].RecordType != RecordFee {
		t.Fatalf("rows %+v %+v", rows[0], rows[1])
	}
	for _, c := range []struct{ file, column string }{
		{"type,date,qty,price,rate,amount,gtin\nR,2026-13-01,1,1,,1,\n", "date"},
		{"type,date,qty,price,rate,amount,gtin\nX,,1,1,,1,\n", "type"},
		{"type,date,qty,price,rate,amount,gtin\nR,,1.0001,1,,1,\n", "qty"},
		{"type,date,qty,price,rate,amount,gtin\nR,,1,1,,,\n", "amount"},
		{"type,date,qty,price,rate,amount,gtin\nR,,1,1,140%,1,\n", "rate"},
		{"type,date,qty,price,rate,amount,gtin\nR,,1,1,,1,12AB\n", "gtin"},
	} {
		_, err := parseStatement(fuzzProfile, []byte(c.file))
		var ce *CellError
		if !errors.As(err, &ce) || ce.Row != 2 || ce.Column != c.column {
			t.Errorf("%q: %v, want row 2 column %s", c.file, err, c.column)
		}
	}
	if _, err := parseStatement(fuzzProfile, []byte("type,date\nR,2026-01-01\n")); err == nil {
		t.Error("a file without the amount column was read")
	}
}

// FuzzParseStatement: whatever the bytes, reading a statement answers rows or an error,
// never a panic.
func FuzzParseStatement(f *testing.F) {
	f.Add([]byte("type,date,qty,price,rate,amount,gtin\nR,2026/11/03,1,39.90,13%,39.90,6923456000209\n"))
	f.Add([]byte("type,date,qty,price,rate,amount,gtin\nF,,,,,\"(1,000.00)\",\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := parseStatement(fuzzProfile, b)
		if err == nil && len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
	})
}

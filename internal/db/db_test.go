package db

import "testing"

func TestLoggedSQLHasNoValues(t *testing.T) {
	t.Parallel()
	got := truncate(`INSERT INTO orders (buyer_name, buyer_phone, n) VALUES ('张三', '13812345678', 5), ('O\'Brien', 'x', 6)`, 1000)
	want := `INSERT INTO orders (buyer_name, buyer_phone, n) VALUES ('…', '…', 5), ('…', '…', 6)`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

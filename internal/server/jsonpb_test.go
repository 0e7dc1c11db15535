package server

import (
	"encoding/json"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/erphub/erphub/api/erp/catalog/v1"
	identityv1 "github.com/erphub/erphub/api/erp/identity/v1"
)

// Whatever the gateway writes must read back, with protojson, as the same message, and
// 64-bit integers must be JSON numbers.
func TestJSONRoundTripsAndWritesNumbers(t *testing.T) {
	t.Parallel()
	pw := "secret"
	msgs := []proto.Message{
		&catalogv1.Item{Id: 9007199254740991, Sku: "LR-001", Name: "川味腊肉 \"五花\" <b>\n\t\u2028", Unit: "kg",
			Barcodes: []string{"6923456001007"}, PackBarcodes: []*catalogv1.PackBarcode{{Code: "16923456001005", Quantity: 20000}},
			Weighed: true, VatRateBp: 900, CreateTime: timestamppb.Now()},
		&catalogv1.ListItemsResponse{Items: []*catalogv1.Item{{Id: 1}, {Id: -2}}, NextPageToken: "x"},
		&catalogv1.Customer{Id: 3, CreditLimit: 50_000_000, Settlement: &catalogv1.SettlementTerms{Cycle: "monthly", ClosingDay: 25}},
		&identityv1.User{Id: 1, Roles: []string{"admin"}, Branches: []int64{1, 2}, Password: &pw},
		&identityv1.LoginResponse{AccessToken: "t"},
		status.New(codes.InvalidArgument, "bad").Proto(),
	}
	st, _ := status.New(codes.InvalidArgument, "bad").WithDetails(&errdetails.BadRequest{
		FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "item.barcodes[0]", Description: "bad check digit"}}})
	msgs = append(msgs, st.Proto())
	m := newJSONMarshaler()
	for _, msg := range msgs {
		b, err := m.Marshal(msg)
		if err != nil {
			t.Fatalf("%T: %v", msg, err)
		}
		var generic map[string]any
		if err := json.Unmarshal(b, &generic); err != nil {
			t.Fatalf("%T: not JSON: %v\n%s", msg, err, b)
		}
		back := msg.ProtoReflect().New().Interface()
		if err := protojson.Unmarshal(b, back); err != nil {
			t.Fatalf("%T: protojson cannot read it back: %v\n%s", msg, err, b)
		}
		if !proto.Equal(msg, back) {
			t.Fatalf("%T: round trip changed the message\n%s", msg, b)
		}
	}
	b, _ := m.Marshal(msgs[0])
	if !strings.Contains(string(b), `"id":9007199254740991`) || !strings.Contains(string(b), `"quantity":20000`) {
		t.Fatalf("64-bit integers are not numbers: %s", b)
	}
	// unset messages are null, unset optionals are absent, like protojson
	b, _ = m.Marshal(&identityv1.LoginResponse{})
	if !strings.Contains(string(b), `"user":null`) {
		t.Fatalf("unset message not null: %s", b)
	}
	b, _ = m.Marshal(&identityv1.User{})
	if strings.Contains(string(b), "password") {
		t.Fatalf("unset optional written: %s", b)
	}
}

func TestOpenAPIIntegersAreNumbers(t *testing.T) {
	t.Parallel()
	doc, err := openAPIDocument([]byte(`{"definitions":{"v1Item":{"properties":{"id":{"type":"string","format":"int64"},"name":{"type":"string"}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), `"type": "integer"`) || strings.Count(string(doc), `"type": "string"`) != 1 {
		t.Fatalf("int64 schema not fixed: %s", doc)
	}
}

// Timestamps are written by hand (inbox pages carry hundreds); they must read exactly as
// protojson writes them, at every precision, and out-of-range ones must fail as in protojson.
func TestTimestampsAsProtojson(t *testing.T) {
	t.Parallel()
	m := newJSONMarshaler()
	for _, ts := range []*timestamppb.Timestamp{
		{Seconds: 0}, {Seconds: 1764000000, Nanos: 500_000_000}, {Seconds: 1764000000, Nanos: 123_456_000},
		{Seconds: 1764000000, Nanos: 1}, {Seconds: -62135596800}, {Seconds: 253402300799, Nanos: 999_999_999},
		{Seconds: -1, Nanos: 999_000_000},
	} {
		got, err := m.Marshal(ts)
		if err != nil {
			t.Fatalf("%v: %v", ts, err)
		}
		want, _ := protojson.Marshal(ts)
		if string(got) != string(want) {
			t.Fatalf("%v: wrote %s, protojson writes %s", ts, got, want)
		}
	}
	for _, ts := range []*timestamppb.Timestamp{{Seconds: 253402300800}, {Seconds: -62135596801}, {Nanos: -1}, {Nanos: 1e9}} {
		if b, err := m.Marshal(ts); err == nil {
			t.Fatalf("%v: out of range but written as %s", ts, b)
		}
	}
}

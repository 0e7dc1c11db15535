package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"

	"google.golang.org/grpc/metadata"

	catalogv1 "github.com/erphub/erphub/api/erp/catalog/v1"
)

// Foundation scenarios: item create and get over gRPC and over HTTP.
func init() {
	register(
		scenario{name: "item-get-grpc", setup: seedItems, op: itemGetGRPC},
		scenario{name: "item-get-http", setup: seedItems, op: itemGetHTTP},
		scenario{name: "item-create-grpc", op: itemCreateGRPC},
		scenario{name: "item-create-http", op: itemCreateHTTP},
	)
}

// itemIDs are the items the get scenarios read.
var itemIDs []int64

func seedItems(ctx context.Context, e *env) error {
	if len(itemIDs) > 0 {
		return nil
	}
	c := catalogv1.NewCatalogServiceClient(e.conn(0))
	for range 1000 {
		n := e.next()
		resp, err := c.CreateItem(e.auth(ctx), &catalogv1.CreateItemRequest{Item: benchItem(n)})
		if err != nil {
			return err
		}
		itemIDs = append(itemIDs, resp.GetItem().GetId())
	}
	return nil
}

func benchItem(n int64) *catalogv1.Item {
	return &catalogv1.Item{Sku: fmt.Sprintf("BENCH-%07d", n), Name: "麻辣香肠 500g 袋装", Unit: "bag", VatRateBp: 1300,
		Category: "香肠", Barcodes: []string{fmt.Sprintf("INT-%07d", n)}}
}

func (e *env) auth(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+e.token)
}

func itemCreateGRPC(ctx context.Context, e *env, w int) error {
	_, err := catalogv1.NewCatalogServiceClient(e.conn(w)).CreateItem(e.auth(ctx), &catalogv1.CreateItemRequest{Item: benchItem(e.next())})
	return err
}

func itemGetGRPC(ctx context.Context, e *env, w int) error {
	_, err := catalogv1.NewCatalogServiceClient(e.conn(w)).GetItem(e.auth(ctx), &catalogv1.GetItemRequest{Id: itemIDs[rand.IntN(len(itemIDs))]})
	return err
}

func itemCreateHTTP(ctx context.Context, e *env, _ int) error {
	n := e.next()
	return e.call(ctx, "POST", "/v1/items", map[string]any{"sku": fmt.Sprintf("BENCH-%07d", n), "name": "麻辣香肠 500g 袋装",
		"unit": "bag", "vatRateBp": 1300, "category": "香肠", "barcodes": []string{fmt.Sprintf("INT-%07d", n)}}, nil)
}

func itemGetHTTP(ctx context.Context, e *env, _ int) error {
	return e.call(ctx, "GET", fmt.Sprintf("/v1/items/%d", itemIDs[rand.IntN(len(itemIDs))]), nil, nil)
}

// call does one HTTP/JSON request and decodes the answer into out (if not nil).
func (e *env) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.http+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func login(ctx context.Context, e *env, user, password string) (string, error) {
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", e.http+"/v1/auth:login",
		bytes.NewReader([]byte(fmt.Sprintf(`{"username":%q,"password":%q}`, user, password))))
	resp, err := e.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		return "", fmt.Errorf("login failed (%d): %v", resp.StatusCode, err)
	}
	return out.AccessToken, nil
}

package platform

import "testing"

// TestSignatureVectors checks the signing code against the worked examples the platforms
// publish in their own documentation.
func TestSignatureVectors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		sign   func(map[string]string, string) string
		params map[string]string
		secret string
		want   string
	}{
		{
			// TOP "API调用方法详解" (open.taobao.com docId=101617), 签名示例: taobao.item.seller.get
			// with app_key 12345678, secret helloworld, sign_method md5.
			name: "TOP md5 example", sign: signMD5, secret: "helloworld",
			params: map[string]string{
				"method": "taobao.item.seller.get", "app_key": "12345678", "session": "test",
				"timestamp": "2016-01-01 12:00:00", "format": "json", "v": "2.0", "sign_method": "md5",
				"fields": "num_iid,title,nick,price,num", "num_iid": "11223344",
			},
			want: "66987CB115214E59E6EC978214934FB8",
		},
		{
			// Pinduoduo 开放平台接入指南, 签名规则 example (pdd.order.number.list.get, client_id 1,
			// client_secret testSecret, data_type XML).
			name: "PDD md5 example", sign: signMD5, secret: "testSecret",
			params: map[string]string{
				"type": "pdd.order.number.list.get", "client_id": "1", "data_type": "XML",
				"access_token": "asd78172s8ds9a921j9qqwda12312w1w21211", "order_status": "1",
				"page": "1", "page_size": "10", "timestamp": "1480411125",
			},
			want: "E4DE3ED21002510DED352819E7AE6775",
		},
		{
			// JD open platform developer guide (open.jd.com dev-guide listId=2643), API调用
			// 签名示例: jingdong.pop.order.search, secret yourappSecret. The example's
			// 360buy_param_json sorts first because '3' < 'a'.
			name: "JD md5 example", sign: signMD5, secret: "yourappSecret",
			params: map[string]string{
				"360buy_param_json": `{"end_date":null,"optional_fields":null,"order_state":"WAIT_SELLER_STOCK_OUT","page":"1","page_size":"200","start_date":null}`,
				"access_token":      "yourtoken", "app_key": "yourappkey", "method": "jingdong.pop.order.search",
				"timestamp": "2021-05-07 09:20:39.683+0800", "v": "2.0",
			},
			want: "D70825340F4084360B9362B60DFD7930",
		},
		{
			// TOP sign_method=hmac is HMAC-MD5 keyed with the secret over the same string; RFC
			// 2202 test case 1 (key 0x0b×16, data "Hi There") written as one parameter.
			name: "TOP hmac = RFC 2202 HMAC-MD5 case 1", sign: signHMACMD5, secret: "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b",
			params: map[string]string{"Hi": " There"},
			want:   "9294727A3638BB1C13F48EF8158BFC9D",
		},
		{
			name: "sign and empty values are not signed", sign: signMD5, secret: "helloworld",
			params: map[string]string{
				"method": "taobao.item.seller.get", "app_key": "12345678", "session": "test",
				"timestamp": "2016-01-01 12:00:00", "format": "json", "v": "2.0", "sign_method": "md5",
				"fields": "num_iid,title,nick,price,num", "num_iid": "11223344", "sign": "OLD", "partner_id": "",
			},
			want: "66987CB115214E59E6EC978214934FB8",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.sign(tc.params, tc.secret); got != tc.want {
				t.Fatalf("sign = %s, want %s", got, tc.want)
			}
			if tc.want != "9294727A3638BB1C13F48EF8158BFC9D" && refSignMD5(tc.params, tc.secret) != tc.want {
				t.Fatal("the fake servers' reference signer disagrees with the published vector")
			}
		})
	}
}

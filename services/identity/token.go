package identity

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Access tokens: "eat1.<claims>.<mac>", claims base64url JSON, mac = HMAC-SHA256 over
// "eat1.<claims>" with the shared signing key, base64url.
const tokenPrefix = "eat1."

type claims struct {
	User    int64 `json:"u"`
	Epoch   int   `json:"e"`
	Expires int64 `json:"x"` // unix seconds
}

var errBadToken = errors.New("the access token is malformed or forged")

func signToken(key []byte, c claims) string {
	body, _ := json.Marshal(c)
	payload := tokenPrefix + base64.RawURLEncoding.EncodeToString(body)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func parseToken(key []byte, tok string, now time.Time) (claims, error) {
	var c claims
	if len(tok) > 512 || !strings.HasPrefix(tok, tokenPrefix) {
		return c, errBadToken
	}
	i := strings.LastIndexByte(tok, '.')
	if i <= len(tokenPrefix) {
		return c, errBadToken
	}
	payload, sig := tok[:i], tok[i+1:]
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return c, errBadToken
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(payload))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return c, errBadToken
	}
	body, err := base64.RawURLEncoding.DecodeString(payload[len(tokenPrefix):])
	if err != nil || json.Unmarshal(body, &c) != nil || c.User <= 0 {
		return c, errBadToken
	}
	if now.Unix() >= c.Expires {
		return c, errors.New("the access token has expired; sign in again")
	}
	return c, nil
}

// Connector keys: "erk_<prefix>_<secret>", prefix 12 and secret 40 base32 characters
// (200 random bits); the database keeps the prefix and SHA-256 of the whole key.
const keyScheme = "erk_"

var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func newAPIKey() (full, prefix string, hash []byte, err error) {
	raw := make([]byte, 7+25)
	if _, err = rand.Read(raw); err != nil {
		return "", "", nil, err
	}
	prefix = strings.ToLower(keyEncoding.EncodeToString(raw[:7]))[:12]
	secret := strings.ToLower(keyEncoding.EncodeToString(raw[7:]))
	full = keyScheme + prefix + "_" + secret
	h := sha256.Sum256([]byte(full))
	return full, prefix, h[:], nil
}

// splitAPIKey answers the prefix of a well-formed key.
func splitAPIKey(full string) (prefix string, ok bool) {
	if len(full) > 128 || !strings.HasPrefix(full, keyScheme) {
		return "", false
	}
	rest := full[len(keyScheme):]
	i := strings.IndexByte(rest, '_')
	if i != 12 || len(rest) < 14 {
		return "", false
	}
	return rest[:i], true
}

func keyMatches(full string, hash []byte) bool {
	h := sha256.Sum256([]byte(full))
	return subtle.ConstantTimeCompare(h[:], hash) == 1
}

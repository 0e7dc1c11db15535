package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
)

// Profile says how a counterpart's statement file is laid out.
type Profile struct {
	ID          int64
	Name        string
	Format      string            // csv or xlsx
	Columns     map[string]string // canonical field → the file's header text
	RecordTypes map[string]string // the file's record type value → RECEIPT, RETURN, …
	DateFormat  string            // e.g. YYYY-MM-DD or YYYYMMDD; empty: the common ones
	Sheet       string            // xlsx: the sheet, empty for the first
	HeaderRow   int               // the header's row number, 1 by default
	CreatedAt   time.Time
}

// ResourceName names the profile in the audit log.
func (p Profile) ResourceName() string { return fmt.Sprintf("importProfiles/%d", p.ID) }

func (p *Profile) validate() error {
	var v apperr.Violations
	p.Name = strings.TrimSpace(p.Name)
	v.Check(p.Name != "" && len(p.Name) <= 64, "name", "is required (at most 64 bytes)")
	p.Format = strings.ToLower(strings.TrimSpace(p.Format))
	v.Check(p.Format == "csv" || p.Format == "xlsx", "format", `must be "csv" or "xlsx"`)
	v.Check(len(p.Columns) > 0, "columns", "must map at least the amount column")
	heads := map[string]string{}
	for field, head := range p.Columns {
		f := "columns." + field
		if !slices.Contains(canonicalFields, field) {
			v.Addf(f, "is not a canonical field (%s)", strings.Join(canonicalFields, ", "))
			continue
		}
		head = strings.TrimSpace(head)
		p.Columns[field] = head
		if v.Check(head != "" && len(head) <= 64, f, "must name the file's column header (at most 64 bytes)") {
			if other, dup := heads[head]; dup {
				v.Addf(f, "uses column %q that %s uses too", head, other)
			}
			heads[head] = field
		}
	}
	_, amount := p.Columns["amount"]
	_, net := p.Columns["amountExclTax"]
	_, tax := p.Columns["taxAmount"]
	v.Check(amount || net && tax, "columns.amount", "is required (or both amountExclTax and taxAmount)")
	if _, ok := p.Columns["recordType"]; !ok && len(p.RecordTypes) > 0 {
		v.Add("recordTypes", "need a recordType column")
	}
	for value, rt := range p.RecordTypes {
		rt = strings.ToUpper(strings.TrimSpace(rt))
		p.RecordTypes[value] = rt
		v.Check(slices.Contains(recordTypes, rt), "recordTypes."+value, "must be RECEIPT, RETURN, PRICE_ADJUSTMENT, FEE or SUMMARY")
	}
	v.Check(len(p.DateFormat) <= 32, "dateFormat", "must be at most 32 bytes")
	v.Check(len(p.Sheet) <= 64, "sheet", "must be at most 64 bytes")
	v.Check(p.HeaderRow >= 0 && p.HeaderRow <= 100, "headerRow", "must be between 1 and 100")
	if p.HeaderRow == 0 {
		p.HeaderRow = 1
	}
	return v.Err("invalid import profile")
}

type profileRow struct {
	ID          int64
	Name        string
	Format      string
	Columns     string
	RecordTypes string
	DateFormat  string
	Sheet       string
	HeaderRow   int
	CreatedBy   int64
	CreatedAt   time.Time
}

func (profileRow) TableName() string { return "import_profiles" }

func (r profileRow) profile() (Profile, error) {
	p := Profile{ID: r.ID, Name: r.Name, Format: r.Format, DateFormat: r.DateFormat, Sheet: r.Sheet, HeaderRow: r.HeaderRow,
		CreatedAt: r.CreatedAt}
	if err := json.Unmarshal([]byte(r.Columns), &p.Columns); err != nil {
		return p, fmt.Errorf("import profile %d: columns: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.RecordTypes), &p.RecordTypes); err != nil {
		return p, fmt.Errorf("import profile %d: record types: %w", r.ID, err)
	}
	return p, nil
}

// CreateProfile saves an import profile. Errors: Invalid, Conflict (name).
func (s *Service) CreateProfile(ctx context.Context, p Profile) (Profile, error) {
	if err := p.validate(); err != nil {
		return p, err
	}
	cols, _ := json.Marshal(p.Columns)
	rts, _ := json.Marshal(p.RecordTypes)
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Profile, error) {
		r := profileRow{Name: p.Name, Format: p.Format, Columns: string(cols), RecordTypes: string(rts), DateFormat: p.DateFormat,
			Sheet: p.Sheet, HeaderRow: p.HeaderRow, CreatedBy: reqctx.PrincipalFrom(ctx).ID, CreatedAt: s.clock()}
		if err := tx.Create(&r).Error; err != nil {
			if _, dup := db.IsDuplicate(err); dup {
				return p, apperr.Conflict("name", fmt.Sprintf("a profile named %q exists", p.Name))
			}
			return p, err
		}
		return r.profile()
	})
}

// Profile answers an import profile. Errors: NotFound.
func (s *Service) Profile(ctx context.Context, id int64) (Profile, error) {
	return s.profileIn(s.db.WithContext(ctx), id)
}

func (s *Service) profileIn(g *gorm.DB, id int64) (Profile, error) {
	var r profileRow
	res := g.Where("id = ?", id).Limit(1).Find(&r)
	if res.Error != nil {
		return Profile{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Profile{}, apperr.NotFound("import profile", id)
	}
	return r.profile()
}

// ListProfiles answers every import profile by name.
func (s *Service) ListProfiles(ctx context.Context) ([]Profile, error) {
	var rows []profileRow
	if err := s.db.WithContext(ctx).Order("name").Limit(1000).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Profile, 0, len(rows))
	for _, r := range rows {
		p, err := r.profile()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

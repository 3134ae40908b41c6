package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgtype"
)

// pgx sends a uuid parameter given as a Go string in text, which PostgreSQL
// parses; but a []string bound to uuid[] has no binary plan, so pgx first
// fails to plan it, formats an error naming every element and only then
// sends it as text. Bulk statements bind hundreds of ids a call, so a pool's
// connections learn to send strings as binary uuids (registerUUID). A string
// that is not a uuid still goes as text and PostgreSQL refuses it as before.

// uuidCodec is pgx's uuid codec that also encodes strings in binary.
type uuidCodec struct{ pgtype.UUIDCodec }

func (c uuidCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if _, ok := value.(string); ok && format == pgtype.BinaryFormatCode {
		return uuidFromString{}
	}
	return c.UUIDCodec.PlanEncode(m, oid, format, value)
}

type uuidFromString struct{}

var errNotUUID = errors.New("not a uuid")

// Encode appends the 16 bytes of a uuid written as 32 hex digits, with or
// without its four dashes.
func (uuidFromString) Encode(value any, buf []byte) ([]byte, error) {
	s := value.(string)
	dashed := len(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-'
	if !dashed && len(s) != 32 {
		return nil, errNotUUID
	}
	var b [16]byte
	for i, j := 0, 0; i < 16; i++ {
		if dashed && (j == 8 || j == 13 || j == 18 || j == 23) {
			j++
		}
		hi, ok1 := fromHex(s[j])
		lo, ok2 := fromHex(s[j+1])
		if !ok1 || !ok2 {
			return nil, errNotUUID
		}
		b[i] = hi<<4 | lo
		j += 2
	}
	return append(buf, b[:]...), nil
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// registerUUID installs uuidCodec for uuid and uuid[] in m.
func registerUUID(m *pgtype.Map) {
	t := &pgtype.Type{Name: "uuid", OID: pgtype.UUIDOID, Codec: uuidCodec{}}
	m.RegisterType(t)
	m.RegisterType(&pgtype.Type{Name: "_uuid", OID: pgtype.UUIDArrayOID, Codec: &pgtype.ArrayCodec{ElementType: t}})
}

package grpcserver

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/jangteo/jangteo/platform/errs"
)

// checkValues applies the rules every request field obeys whatever its
// .proto says, so no service has to remember them field by field:
//
//   - a string holds valid UTF-8 without NUL characters (PostgreSQL refuses
//     NUL in text, and no product text needs one);
//   - a float or double is a finite number (NaN and ±Infinity break sorting,
//     sums and CEL rules).
//
// It walks the message reflectively, nested messages, lists and maps (keys
// too) included, and names each offending field by its path, as protovalidate
// does: `variants[0].options["size"]`.
func checkValues(m protoreflect.Message) errs.Violations {
	var v errs.Violations
	walkValues(m, "", &v)
	return v
}

const (
	badText   = "must be valid UTF-8 text without NUL characters"
	badNumber = "must be a finite number"
)

func walkValues(m protoreflect.Message, prefix string, v *errs.Violations) {
	m.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		path := prefix + string(fd.Name())
		switch {
		case fd.IsList():
			l := val.List()
			for i := range l.Len() {
				checkValue(fd, l.Get(i), path+"["+strconv.Itoa(i)+"]", v)
			}
		case fd.IsMap():
			val.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				key := k.String()
				if fd.MapKey().Kind() == protoreflect.StringKind {
					if !cleanText(key) {
						v.Add(path, "keys "+badText)
						return true
					}
					key = strconv.Quote(key)
				}
				checkValue(fd.MapValue(), mv, path+"["+key+"]", v)
				return true
			})
		default:
			checkValue(fd, val, path, v)
		}
		return true
	})
}

func checkValue(fd protoreflect.FieldDescriptor, val protoreflect.Value, path string, v *errs.Violations) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if !cleanText(val.String()) {
			v.Add(path, badText)
		}
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		if f := val.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			v.Add(path, badNumber)
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		walkValues(val.Message(), path+".", v)
	}
}

func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

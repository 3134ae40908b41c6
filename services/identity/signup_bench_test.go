package identity_test

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc/codes"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
)

// BenchmarkSignUpPeakRSS sends 100 sign-ups at once to identity with its
// default hashing budget and reports the process's peak resident memory:
// argon2id needs 64 MiB per hash, so unbounded this is 100 × 64 MiB; bounded
// it stays near the budget plus the runtime's baseline. Run it alone, as the
// deployment does, with the chart's GOMEMLIMIT:
//
//	GOMEMLIMIT=320MiB go test -run '^$' -bench SignUpPeakRSS -benchtime 1x ./services/identity
func BenchmarkSignUpPeakRSS(b *testing.B) {
	e := start(b)
	for b.Loop() {
		var ok, busy atomic.Int32
		var wg sync.WaitGroup
		for i := range 100 {
			wg.Go(func() {
				_, err := e.client.SignUp(context.Background(), &identityv1.SignUpRequest{
					Email: fmt.Sprintf("rss%d-%d@example.com", b.N, i), Password: "correct-horse-7", Name: "R",
				})
				switch code(err) {
				case codes.OK:
					ok.Add(1)
				case codes.Unavailable:
					busy.Add(1)
				default:
					b.Errorf("sign-up: %v", err)
				}
			})
		}
		wg.Wait()
		b.ReportMetric(float64(ok.Load()), "created")
		b.ReportMetric(float64(busy.Load()), "busy-503")
	}
	peak := peakRSSMiB()
	b.ReportMetric(peak, "peak-rss-MiB")
	fmt.Printf("100 parallel sign-ups: peak RSS %.0f MiB (hash budget %d MiB, GOMEMLIMIT %s)\n",
		peak, e.cfg.PasswordHashMemoryMiB, memLimit())
}

// peakRSSMiB reads the process's resident high-water mark (Linux).
func peakRSSMiB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.Fields(v)[0])
			return float64(kb) / 1024
		}
	}
	return 0
}

func memLimit() string {
	if l := debug.SetMemoryLimit(-1); l < 1<<62 {
		return strconv.FormatInt(l>>20, 10) + " MiB"
	}
	return "unset"
}

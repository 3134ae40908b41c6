package providertest

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	formRe   = regexp.MustCompile(`(?s)<form method="post" action="([^"]+)">(.*?)</form>`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// Click plays a browser on a provider's approval page at pageURL: it opens
// the page, submits the form whose action contains button ("pay",
// "approve", "cancel", "decline") and returns where the provider sends the
// browser (not followed).
func Click(t *testing.T, pageURL, button string) *url.URL {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(pageURL)
	if err != nil {
		t.Fatalf("open %s: %v", pageURL, err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("open %s: %d %s", pageURL, res.StatusCode, page)
	}
	base, _ := url.Parse(pageURL)
	for _, m := range formRe.FindAllStringSubmatch(string(page), -1) {
		action, _ := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
		if !strings.Contains(action.Path, button) {
			continue
		}
		form := url.Values{}
		for _, h := range hiddenRe.FindAllStringSubmatch(m[2], -1) {
			form.Set(h[1], unescape(h[2]))
		}
		res, err := client.PostForm(base.ResolveReference(action).String(), form)
		if err != nil {
			t.Fatalf("click %s: %v", button, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		loc, err := res.Location()
		if err != nil {
			t.Fatalf("click %s: %d %s, no redirect", button, res.StatusCode, body)
		}
		return loc
	}
	t.Fatalf("no %q button on %s:\n%s", button, pageURL, page)
	return nil
}

func unescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(s)
}

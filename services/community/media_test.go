package community_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/images"
	"github.com/jangteo/jangteo/services/community"
)

// picture is a small PNG, different for each shade.
func picture(shade uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		img.SetRGBA(i%4, i/4, color.RGBA{shade, 0x80, 0x40, 0xff})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// upload stores a picture as u and returns the upload.
func (e *env) upload(t *testing.T, u user) *communityv1.Media {
	t.Helper()
	return must(e.client.UploadMedia(u.ctx, &communityv1.UploadMediaRequest{ContentType: "image/png", Data: picture(1)})).GetMedia()
}

// mediaPath is the path of a stored picture's URL, as the gateway serves it.
func mediaPath(t *testing.T, url string) string {
	t.Helper()
	p, ok := strings.CutPrefix(url, images.DefaultPublicBaseURL)
	if !ok {
		t.Fatalf("url %q is not under %s", url, images.DefaultPublicBaseURL)
	}
	return "/media" + p
}

func TestMediaUploads(t *testing.T) {
	t.Parallel()
	e := start(t)
	r := e.rest(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	minji, jisoo := e.newUser(t, "minji", "김민지"), e.newUser(t, "jisoo", "박지수")
	e.boards(t, staff.ctx)

	t.Run("a picture is stored, served and attached in order", func(t *testing.T) {
		var ups []*communityv1.Media
		for shade := range uint8(3) {
			m := must(e.client.UploadMedia(minji.ctx, &communityv1.UploadMediaRequest{Data: picture(shade), Filename: "a.png"})).GetMedia()
			if m.GetContentType() != "image/png" || int(m.GetSizeBytes()) != len(picture(shade)) || uuid.Validate(m.GetId()) != nil {
				t.Fatalf("upload = %v", m)
			}
			// The object's name says nothing about who uploaded it.
			if strings.Contains(m.GetUrl(), minji.id) || !strings.Contains(m.GetUrl(), "/community/") {
				t.Fatalf("url = %q", m.GetUrl())
			}
			ups = append(ups, m)
		}
		resp, err := http.Get(r.url + mediaPath(t, ups[1].GetUrl()))
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		_, _ = got.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got.Bytes(), picture(1)) {
			t.Fatalf("GET picture = %d %s (%d bytes)", resp.StatusCode, resp.Header.Get("Content-Type"), got.Len())
		}

		order := []string{ups[2].GetId(), ups[0].GetId(), ups[1].GetId()}
		post := must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{
			Slug: "free", Title: "사진 세 장", Body: "순서대로", MediaIds: order, Anonymous: true,
		})).GetPost()
		wantMedia := func(p *communityv1.Post, ids ...string) {
			t.Helper()
			if len(p.GetMedia()) != len(ids) || len(p.GetMediaUrls()) != len(ids) {
				t.Fatalf("media = %v", p.GetMedia())
			}
			for i, id := range ids {
				m := p.GetMedia()[i]
				if m.GetId() != id || m.GetUrl() != p.GetMediaUrls()[i] {
					t.Fatalf("media[%d] = %v, want %s", i, m, id)
				}
			}
		}
		wantMedia(post, order...)
		// Another member reads them in the same order.
		wantMedia(must(e.client.GetPost(jisoo.ctx, &communityv1.GetPostRequest{Id: post.GetId()})).GetPost(), order...)
		// The author reorders and drops one.
		edited := must(e.client.UpdatePost(minji.ctx, &communityv1.UpdatePostRequest{
			Id: post.GetId(), Media: &communityv1.MediaIds{Ids: []string{ups[1].GetId(), ups[2].GetId()}},
		})).GetPost()
		wantMedia(edited, ups[1].GetId(), ups[2].GetId())
		wantMedia(must(e.client.GetPost(visitor, &communityv1.GetPostRequest{Id: post.GetId()})).GetPost(), ups[1].GetId(), ups[2].GetId())
	})

	t.Run("the type is judged by the bytes", func(t *testing.T) {
		svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
		_, err := e.client.UploadMedia(minji.ctx, &communityv1.UploadMediaRequest{ContentType: "image/png", Data: svg})
		st := wantCode(t, err, codes.InvalidArgument, "data")
		if !strings.Contains(st.Message(), "unsupported image type") {
			t.Fatalf("message = %q", st.Message())
		}
		_, err = e.client.UploadMedia(minji.ctx, &communityv1.UploadMediaRequest{Data: []byte("just some text, not a picture")})
		wantCode(t, err, codes.InvalidArgument, "data")
		// A PNG declared as JPEG is refused: the declaration must agree.
		_, err = e.client.UploadMedia(minji.ctx, &communityv1.UploadMediaRequest{ContentType: "image/jpeg", Data: picture(9)})
		wantCode(t, err, codes.InvalidArgument, "data")
	})

	t.Run("the size limit is named", func(t *testing.T) {
		big := append(picture(7), make([]byte, 5<<20)...)
		_, err := e.client.UploadMedia(minji.ctx, &communityv1.UploadMediaRequest{ContentType: "image/png", Data: big})
		st := wantCode(t, err, codes.InvalidArgument, "data")
		if !strings.Contains(st.Message(), "5242880") {
			t.Fatalf("message %q does not name the limit", st.Message())
		}
	})

	t.Run("visitors cannot upload", func(t *testing.T) {
		_, err := e.client.UploadMedia(visitor, &communityv1.UploadMediaRequest{Data: picture(1)})
		wantCode(t, err, codes.Unauthenticated, "")
	})

	t.Run("only one's own uploads are attached", func(t *testing.T) {
		theirs := e.upload(t, jisoo).GetId()
		mine := e.upload(t, minji).GetId()
		unknown := uuid.NewString()
		for _, ids := range [][]string{{theirs}, {unknown}, {mine, mine}} {
			_, err := e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "t", Body: "b", MediaIds: ids})
			field := "media_ids[0]"
			if len(ids) == 2 {
				field = "media_ids[1]"
			}
			st := wantCode(t, err, codes.InvalidArgument, field)
			if strings.Contains(st.Message(), jisoo.id) || strings.Contains(st.Message(), "jisoo") {
				t.Fatalf("message %q names the owner", st.Message())
			}
		}
		// Another member's and an unknown id read the same, so an id seen on
		// an anonymous post tells nothing about its author.
		_, errTheirs := e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "t", Body: "b", MediaIds: []string{theirs}})
		_, errUnknown := e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "t", Body: "b", MediaIds: []string{unknown}})
		if strings.ReplaceAll(status.Convert(errTheirs).Message(), theirs, "ID") != strings.ReplaceAll(status.Convert(errUnknown).Message(), unknown, "ID") {
			t.Fatalf("messages differ: %v / %v", errTheirs, errUnknown)
		}
		_, err := e.client.CreateStyle(minji.ctx, &communityv1.CreateStyleRequest{MediaIds: []string{theirs}})
		wantCode(t, err, codes.InvalidArgument, "media_ids[0]")
		post := must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "t", Body: "b", MediaIds: []string{mine}})).GetPost()
		_, err = e.client.UpdatePost(minji.ctx, &communityv1.UpdatePostRequest{Id: post.GetId(), Media: &communityv1.MediaIds{Ids: []string{mine, theirs}}})
		wantCode(t, err, codes.InvalidArgument, "media.ids[1]")
		ids := make([]string, 11)
		for i := range ids {
			ids[i] = uuid.NewString()
		}
		_, err = e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "t", Body: "b", MediaIds: ids})
		wantCode(t, err, codes.InvalidArgument, "media_ids")
	})

	t.Run("REST: base64 JSON, 201; visitor 401; bad bytes 400; too large 413", func(t *testing.T) {
		tok := e.iss.Token(minji.id, "customer")
		body := fmt.Sprintf(`{"content_type":"image/png","data":%q}`, base64.StdEncoding.EncodeToString(picture(5)))
		code, raw, out := r.do(tok, "POST", "/v1/media", body)
		if code != http.StatusCreated {
			t.Fatalf("POST /v1/media = %d %s", code, raw)
		}
		id := out["media"].(map[string]any)["id"].(string)
		code, raw, _ = r.do(tok, "POST", "/v1/boards/free/posts", `{"title":"사진","body":"b","media_ids":["`+id+`"]}`)
		if code != http.StatusCreated || !strings.Contains(raw, id) {
			t.Fatalf("POST post with media = %d %s", code, raw)
		}
		if code, raw, _ = r.do("", "POST", "/v1/media", body); code != http.StatusUnauthorized {
			t.Fatalf("visitor upload = %d %s", code, raw)
		}
		text := fmt.Sprintf(`{"data":%q}`, base64.StdEncoding.EncodeToString([]byte("<html><body>hi</body></html>")))
		if code, raw, _ = r.do(tok, "POST", "/v1/media", text); code != http.StatusBadRequest || !strings.Contains(raw, "data") {
			t.Fatalf("html upload = %d %s", code, raw)
		}
		huge := fmt.Sprintf(`{"data":%q}`, base64.StdEncoding.EncodeToString(make([]byte, 7<<20)))
		if code, raw, _ = r.do(tok, "POST", "/v1/media", huge); code != http.StatusRequestEntityTooLarge {
			t.Fatalf("7 MiB upload = %d %s", code, raw)
		}
		if code, raw, _ = r.do(tok, "POST", "/v1/boards/free/posts", `{"title":"t","body":"b","media_ids":["`+uuid.NewString()+`"]}`); code != http.StatusBadRequest || !strings.Contains(raw, "media_ids[0]") {
			t.Fatalf("unknown media = %d %s", code, raw)
		}
	})
}

// TestMediaUploadBudget: a member's uploads in an hour are bounded, exactly,
// however many arrive at once.
func TestMediaUploadBudget(t *testing.T) {
	t.Parallel()
	e := startWith(t, options{configure: func(c *community.Config) { c.UploadsPerHour = 5 }})
	minji, jisoo := e.newUser(t, "minji", "김민지"), e.newUser(t, "jisoo", "박지수")
	var wg sync.WaitGroup
	var mu sync.Mutex
	codesSeen := map[codes.Code]int{}
	for range 12 {
		wg.Go(func() {
			_, err := e.client.UploadMedia(minji.ctx, &communityv1.UploadMediaRequest{Data: picture(3)})
			mu.Lock()
			codesSeen[status.Code(err)]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codesSeen[codes.OK] != 5 || codesSeen[codes.ResourceExhausted] != 7 {
		t.Fatalf("12 parallel uploads with a budget of 5: %v", codesSeen)
	}
	_, err := e.client.UploadMedia(minji.ctx, &communityv1.UploadMediaRequest{Data: picture(3)})
	st := wantCode(t, err, codes.ResourceExhausted, "")
	if !strings.Contains(st.Message(), "5 uploads an hour") {
		t.Fatalf("message = %q", st.Message())
	}
	// The budget is per member.
	e.upload(t, jisoo)
	// An hour later the slots are free again.
	if _, err := e.db.Exec(t.Context(), `UPDATE media SET created_at = created_at - interval '61 minutes' WHERE owner_id = $1`, minji.id); err != nil {
		t.Fatal(err)
	}
	e.upload(t, minji)
}

// Uploads no post or style uses are deleted with their pictures once they
// are older than MEDIA_KEEP_UNATTACHED; those a post uses, and recent ones,
// stay.
func TestUnattachedMediaArePurged(t *testing.T) {
	t.Parallel()
	e := startWith(t, options{configure: func(c *community.Config) { c.KeepUnattachedMedia = time.Hour }})
	r := e.rest(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	minji := e.newUser(t, "minji", "김민지")
	e.boards(t, staff.ctx)
	used, old, recent := e.upload(t, minji), e.upload(t, minji), e.upload(t, minji)
	must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "사진", Body: "한 장", MediaIds: []string{used.GetId()}}))
	if _, err := e.db.Exec(t.Context(), `UPDATE media SET created_at = now() - interval '2 hours' WHERE id = ANY($1::uuid[])`,
		[]string{used.GetId(), old.GetId()}); err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.PurgeUnattachedMedia(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("purged %d (%v), want 1", n, err)
	}
	served := func(m *communityv1.Media) int {
		resp, err := http.Get(r.url + mediaPath(t, m.GetUrl()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := served(old); got != http.StatusNotFound {
		t.Fatalf("the purged picture answers %d, want 404", got)
	}
	if served(used) != http.StatusOK || served(recent) != http.StatusOK {
		t.Fatal("a used or recent picture is gone")
	}
	// The purged upload can no longer be attached; the recent one can.
	_, err = e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "늦게", Body: "첨부", MediaIds: []string{old.GetId()}})
	wantCode(t, err, codes.InvalidArgument, "")
	must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "지금", Body: "첨부", MediaIds: []string{recent.GetId()}}))
	if n, err := e.svc.PurgeUnattachedMedia(t.Context()); err != nil || n != 0 {
		t.Fatalf("second purge: %d (%v), want 0", n, err)
	}
}

/* vita-mpeg.c — see vita-mpeg.h. */
#include "vita-mpeg.h"
#include "vita-file-id.h"

#include <mpg123.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct VitaMpeg {
  mpg123_handle *mh;
  int            fd;
  int            channels;
  long           rate;
  guint64        position;   /* frames decoded or sought to */
  char          *error;
  gboolean       scanned;    /* its own scan (else the kept one's index and length) */
  off_t         *index;      /* the kept index handed to mpg123 (freed after it) */
};

/* The last scan (vita-mpeg.h): one file's identity, length and seek index. */
typedef struct {
  VitaFileId id;
  gint64   frames;
  off_t   *offsets;
  off_t    step;
  size_t   fill;
} Scan;

static GMutex scan_lock;
static Scan   last_scan;
static guint  n_scans;

guint
vita_mpeg_scan_count (void)
{
  return (guint) g_atomic_int_get (&n_scans);
}

static gboolean
file_key (int fd, VitaFileId *id)
{
  struct stat st;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  vita_file_id_of (&st, id);
  return TRUE;
}

/* Opens m with the kept scan of the file id names: its length, or -1 (none kept). */
static off_t
reuse_scan (VitaMpeg *m, const VitaFileId *id)
{
  off_t length = -1;
  g_mutex_lock (&scan_lock);
  if (last_scan.offsets != NULL && vita_file_id_equal (id, &last_scan.id))
    {
      m->index = g_memdup2 (last_scan.offsets, last_scan.fill * sizeof (off_t));
      if (mpg123_set_index (m->mh, m->index, last_scan.step, last_scan.fill) == MPG123_OK)
        length = (off_t) last_scan.frames;
    }
  g_mutex_unlock (&scan_lock);
  return length;
}

static void
keep_scan (VitaMpeg *m, const VitaFileId *id, off_t length)
{
  off_t *offsets = NULL, step = 0;
  size_t fill = 0;
  if (length <= 0 || mpg123_index (m->mh, &offsets, &step, &fill) != MPG123_OK ||
      offsets == NULL || fill == 0)
    return;
  g_mutex_lock (&scan_lock);
  g_free (last_scan.offsets);
  last_scan.id = *id;
  last_scan.frames = (gint64) length;
  last_scan.offsets = g_memdup2 (offsets, fill * sizeof (off_t));
  last_scan.step = step;
  last_scan.fill = fill;
  g_mutex_unlock (&scan_lock);
}

static void
set_error (VitaMpeg *m, char *text)
{
  g_free (m->error);
  m->error = text;
}

void
vita_mpeg_close (VitaMpeg *m)
{
  if (m == NULL)
    return;
  if (m->mh)
    {
      mpg123_close (m->mh);
      mpg123_delete (m->mh);
    }
  g_free (m->index);
  if (m->fd >= 0)
    close (m->fd);
  g_free (m->error);
  g_free (m);
}

VitaMpeg *
vita_mpeg_open (int fd, gboolean reuse, int *channels, int *rate, gint64 *frames, char **why)
{
  VitaMpeg *m = g_new0 (VitaMpeg, 1);
  m->fd = fd;
  int err = MPG123_OK;
#if MPG123_API_VERSION < 46
  mpg123_init ();   /* a no-op since 1.27, before that once per process and harmless */
#endif
  m->mh = mpg123_new (NULL, &err);
  if (m->mh == NULL)
    goto fail;
  /* libsndfile's flags (mpeg_decode.c), so the samples are the ones it would give */
  mpg123_param (m->mh, MPG123_REMOVE_FLAGS, MPG123_AUTO_RESAMPLE, 0.0);
  mpg123_param (m->mh, MPG123_ADD_FLAGS, MPG123_FORCE_FLOAT | MPG123_GAPLESS | MPG123_QUIET, 0.0);
#if MPG123_API_VERSION >= 45
  mpg123_param (m->mh, MPG123_ADD_FLAGS, MPG123_NO_FRANKENSTEIN, 0.0);
#endif
  /* A seek decodes this many frames before the target and drops them.  mpg123's default
   * (4) is not enough for layer III: a frame's main data may start up to 511 bytes back
   * in the bit reservoir (255 in MPEG-2), i.e. many frames back at low bitrates, and the
   * frame before the target must itself decode right (its overlap-add).  With 4, the
   * 26 s MP3 of test-audio's /audio/stretch (libsndfile's encoder) came out up to 0.6
   * off after a seek; from 8 on it is exact.  64 frames cover the reservoir at any
   * bitrate and cost 1.7 s of decoding per seek at 44.1 kHz (1-2 ms). */
  mpg123_param (m->mh, MPG123_PREFRAMES, 64, 0.0);
  int encoding = 0;
  if (lseek (fd, 0, SEEK_SET) != 0 ||
      (err = mpg123_open_fd (m->mh, fd)) != MPG123_OK ||
      (err = mpg123_getformat (m->mh, &m->rate, &m->channels, &encoding)) != MPG123_OK ||
      (err = mpg123_format_none (m->mh)) != MPG123_OK ||
      (err = mpg123_format (m->mh, m->rate, m->channels, MPG123_ENC_FLOAT_32)) != MPG123_OK)
    goto fail;
  VitaFileId id = { 0 };
  const gboolean keyed = file_key (fd, &id);
  off_t length = keyed && reuse ? reuse_scan (m, &id) : -1;
  if (length < 0)
    {
      g_atomic_int_inc (&n_scans);
      if ((err = mpg123_scan (m->mh)) != MPG123_OK)
        goto fail;
      m->scanned = TRUE;
      length = mpg123_length (m->mh);
      if (keyed)
        keep_scan (m, &id, length);
    }
  if (length <= 0 || m->channels < 1)
    {
      *why = g_strdup ("no MPEG audio frames");
      vita_mpeg_close (m);
      return NULL;
    }
  *channels = m->channels;
  *rate = (int) m->rate;
  *frames = (gint64) length;
  return m;

fail:
  *why = g_strdup (m->mh ? mpg123_strerror (m->mh) : mpg123_plain_strerror (err));
  vita_mpeg_close (m);
  return NULL;
}

gssize
vita_mpeg_readf (VitaMpeg *m, float *inter, gsize frames)
{
  const gsize frame_bytes = (gsize) m->channels * sizeof (float);
  gsize have = 0;   /* bytes */
  while (have < frames * frame_bytes)
    {
      size_t done = 0;
      int err = mpg123_read (m->mh, (unsigned char *) inter + have, frames * frame_bytes - have, &done);
      have += done;
      if (err == MPG123_DONE)
        break;
      if (err == MPG123_NEW_FORMAT)
        {
          long rate = 0;
          int channels = 0, encoding = 0;
          mpg123_getformat (m->mh, &rate, &channels, &encoding);
          if (rate == m->rate && channels == m->channels && encoding == MPG123_ENC_FLOAT_32)
            continue;
          set_error (m, g_strdup_printf ("the stream changes from %ld Hz, %d channels to "
                                         "%ld Hz, %d channels after %.3f s (joined files?)",
                                         m->rate, m->channels, rate, channels,
                                         (double) (m->position + have / frame_bytes) / m->rate));
          return -1;
        }
      if (err != MPG123_OK)
        {
          set_error (m, g_strdup (mpg123_strerror (m->mh)));
          return -1;
        }
      if (done == 0)
        break;
    }
  if (have % frame_bytes != 0)
    {
      set_error (m, g_strdup ("the decoder returned part of a frame"));
      return -1;
    }
  m->position += have / frame_bytes;
  return (gssize) (have / frame_bytes);
}

gboolean
vita_mpeg_seek (VitaMpeg *m, guint64 frame)
{
  off_t at = mpg123_seek (m->mh, (off_t) frame, SEEK_SET);
  if (at < 0 || (guint64) at != frame)
    {
      set_error (m, g_strdup (at < 0 ? mpg123_strerror (m->mh) : "the seek landed elsewhere"));
      return FALSE;
    }
  m->position = frame;
  return TRUE;
}

gboolean
vita_mpeg_scanned (VitaMpeg *m)
{
  return m->scanned;
}

const char *
vita_mpeg_error (VitaMpeg *m)
{
  return m->error;
}

/* vita-mpeg.h — MPEG audio (MP1, MP2, MP3) through libmpg123, for vita-audio.c.
 *
 * libsndfile decodes MPEG with libmpg123 too, but takes the length from mpg123's
 * estimate (the first frame's bitrate × the file's size when there is no Xing/Info
 * header) and never reads past it: an ABR or VBR file without that header whose first
 * frame is larger than the average decodes short, silently (a 173 s track ended at
 * 115.7 s).  This reader decodes exactly as libsndfile does (the same flags: float
 * output, gapless, no resampling, no Frankenstein streams) but scans the file first,
 * so the length is the file's own, and a change of format in the middle of the stream
 * is an error, not a silent end.  A seek is sample-exact: it lands on the sample
 * (the scan's index) and decodes enough frames before it (vita-mpeg.c) that the
 * samples are the whole decode's, bit for bit. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct VitaMpeg VitaMpeg;

/* Takes fd (closed by vita_mpeg_close, or here on failure).  NULL with *why (free it)
 * when fd is not MPEG audio mpg123 can decode.
 * The last file scanned keeps its length and seek index (a 3-hour MP3's scan reads
 * 166 MB: 210 ms).  reuse_scan: when fd is that file (same device, inode, size and
 * modification time), open it with them instead of scanning again — only for a handle
 * that will not read to the stream's end: mpg123 ends a stream it did not scan itself
 * differently (a cut file's last frame: 705,071 samples instead of 706,176), so
 * whoever reads to the end passes FALSE. */
VitaMpeg *vita_mpeg_open (int fd, gboolean reuse_scan, int *channels, int *rate,
                          gint64 *frames, char **why);
/* Whether m scanned the stream itself (FALSE: opened with the kept scan). */
gboolean  vita_mpeg_scanned (VitaMpeg *m);
/* Scans so far in this process (tests). */
guint     vita_mpeg_scan_count (void);
/* Interleaved float frames into inter: the count read, 0 at the end, -1 on an error
 * (vita_mpeg_error says which). */
gssize    vita_mpeg_readf (VitaMpeg *m, float *inter, gsize frames);
/* To frame `frame` (sample-exact); FALSE when it cannot. */
gboolean  vita_mpeg_seek (VitaMpeg *m, guint64 frame);
/* The last error, or NULL. */
const char *vita_mpeg_error (VitaMpeg *m);
void      vita_mpeg_close (VitaMpeg *m);

G_END_DECLS

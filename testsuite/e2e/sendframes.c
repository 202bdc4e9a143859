// SPDX-License-Identifier: Apache-2.0
/*
 * sendframes.c - raw Ethernet frames for the end-to-end scenarios.
 *
 * The scenarios need frames the socket API will not build (truncated
 * headers, IPv4 options, fragments, VLAN tags), a way to hand the very same
 * bytes to BPF_PROG_TEST_RUN, and a receiver that says which numbered
 * packets made it through the classifier:
 *
 *   sendframes send -i DEV [-c COUNT] [-g GAP_US] [-n NAME] [-s OFF] FILE
 *       send the frames of FILE (all, or the one named NAME) out of DEV with
 *       AF_PACKET, COUNT times over (0: until killed), GAP_US between
 *       frames; -s writes a 32-bit big-endian sequence number (0, 1, ...)
 *       at byte OFF of every frame sent; prints the number of frames sent.
 *   sendframes bin [-v] FILE NAME OUT
 *       write frame NAME's bytes to OUT; -v removes one outer VLAN tag, as
 *       the receive path does before tc ingress sees the frame.
 *   sendframes list FILE
 *       print the frame names, one a line.
 *   sendframes recv -p PORT[,PORT...] [-t SECONDS]
 *       print "PORT SEQ" for each UDP datagram received on the ports (SEQ:
 *       the payload's first 4 bytes, big endian) until SECONDS pass without
 *       traffic (default 3) or SIGTERM.
 *
 * FILE holds one frame a line, "NAME HEX", '#' starts a comment; HEX may
 * contain '.' and ':' separators for readability.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SF_MAX_FRAMES 1024
#define SF_MAX_LEN 9216
#define SF_MAX_PORTS 16

struct sf_frame {
	char name[64];
	uint8_t *data;
	size_t len;
};

struct sf_frames {
	struct sf_frame f[SF_MAX_FRAMES];
	size_t n;
};

static volatile sig_atomic_t sf_stop;

static void sf_on_signal(int sig)
{
	sf_stop = 1;
}

static int sf_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parse "NAME HEX" into fr; -EINVAL with a message naming file:line. */
static int sf_parse_line(char *line, const char *path, int lineno,
			 struct sf_frame *fr)
{
	char *name = strtok(line, " \t"), *hex = strtok(NULL, " \t");
	uint8_t buf[SF_MAX_LEN];
	size_t n = 0;
	int hi = -1;

	if (!name || !hex || strtok(NULL, " \t")) {
		fprintf(stderr, "sendframes: %s:%d: want 'NAME HEX'\n", path,
			lineno);
		return -EINVAL;
	}
	for (const char *p = hex; *p; p++) {
		int v = sf_hexval(*p);

		if (*p == '.' || *p == ':')
			continue;
		if (v < 0 || n == sizeof(buf)) {
			fprintf(stderr, "sendframes: %s:%d: bad hex at '%c'\n",
				path, lineno, *p);
			return -EINVAL;
		}
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0 || n < ETH_HLEN - 2 || strlen(name) >= sizeof(fr->name)) {
		fprintf(stderr, "sendframes: %s:%d: odd digits, short frame "
			"or long name\n", path, lineno);
		return -EINVAL;
	}
	fr->data = malloc(n);
	if (!fr->data)
		return -ENOMEM;
	memcpy(fr->data, buf, n);
	fr->len = n;
	strcpy(fr->name, name);
	return 0;
}

static void sf_frames_free(struct sf_frames *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->f[i].data);
	fs->n = 0;
}

static int sf_frames_load(const char *path, struct sf_frames *fs)
{
	char line[2 * SF_MAX_LEN + 256];
	int lineno = 0, err = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		err = -errno;
		fprintf(stderr, "sendframes: %s: %s\n", path, strerror(errno));
		return err;
	}
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#'), *p = line;

		lineno++;
		if (hash)
			*hash = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			continue;
		if (fs->n == SF_MAX_FRAMES) {
			fprintf(stderr, "sendframes: %s: too many frames\n",
				path);
			err = -E2BIG;
			goto out;
		}
		err = sf_parse_line(p, path, lineno, &fs->f[fs->n]);
		if (err)
			goto out;
		fs->n++;
	}
	if (!fs->n) {
		fprintf(stderr, "sendframes: %s: no frames\n", path);
		err = -ENOENT;
	}
out:
	fclose(f);
	if (err)
		sf_frames_free(fs);
	return err;
}

static const struct sf_frame *sf_find(const struct sf_frames *fs,
				      const char *name)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].name, name))
			return &fs->f[i];
	fprintf(stderr, "sendframes: no frame named '%s'\n", name);
	return NULL;
}

static int sf_open_tx(const char *dev, struct sockaddr_ll *sll)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0) {
		perror("sendframes: socket(AF_PACKET)");
		return -1;
	}
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_ifindex = (int)if_nametoindex(dev);
	sll->sll_halen = ETH_ALEN;
	if (!sll->sll_ifindex) {
		fprintf(stderr, "sendframes: no device '%s'\n", dev);
		close(fd);
		return -1;
	}
	return fd;
}

static void sf_sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	if (us > 0)
		nanosleep(&ts, NULL);
}

static int sf_send_one(int fd, const struct sockaddr_ll *sll,
		       const struct sf_frame *fr, long seq_off, uint32_t seq)
{
	uint8_t buf[SF_MAX_LEN];
	uint32_t be = htonl(seq);

	memcpy(buf, fr->data, fr->len);
	if (seq_off >= 0) {
		if ((size_t)seq_off + 4 > fr->len) {
			fprintf(stderr, "sendframes: frame '%s' shorter than "
				"sequence offset %ld\n", fr->name, seq_off);
			return -EINVAL;
		}
		memcpy(buf + seq_off, &be, 4);
	}
	if (sendto(fd, buf, fr->len, 0, (const struct sockaddr *)sll,
		   sizeof(*sll)) != (ssize_t)fr->len) {
		fprintf(stderr, "sendframes: send '%s': %s\n", fr->name,
			strerror(errno));
		return -errno;
	}
	return 0;
}

static int cmd_send(int argc, char **argv)
{
	const char *dev = NULL, *only = NULL;
	long count = 1, gap = 0, seq_off = -1;
	struct sockaddr_ll sll;
	static struct sf_frames fs;
	unsigned long sent = 0;
	int c, fd, err = 0;

	while ((c = getopt(argc, argv, "i:c:g:n:s:")) != -1) {
		switch (c) {
		case 'i': dev = optarg; break;
		case 'c': count = strtol(optarg, NULL, 0); break;
		case 'g': gap = strtol(optarg, NULL, 0); break;
		case 'n': only = optarg; break;
		case 's': seq_off = strtol(optarg, NULL, 0); break;
		default: return 2;
		}
	}
	if (!dev || optind != argc - 1 || count < 0) {
		fprintf(stderr, "usage: sendframes send -i DEV [-c COUNT] "
			"[-g GAP_US] [-n NAME] [-s OFF] FILE\n");
		return 2;
	}
	if (sf_frames_load(argv[optind], &fs))
		return 1;
	if (only && !sf_find(&fs, only)) {
		sf_frames_free(&fs);
		return 1;
	}
	fd = sf_open_tx(dev, &sll);
	if (fd < 0) {
		sf_frames_free(&fs);
		return 1;
	}
	signal(SIGTERM, sf_on_signal);
	signal(SIGINT, sf_on_signal);
	for (long r = 0; !sf_stop && !err && (!count || r < count); r++) {
		for (size_t i = 0; i < fs.n && !sf_stop && !err; i++) {
			if (only && strcmp(fs.f[i].name, only))
				continue;
			err = sf_send_one(fd, &sll, &fs.f[i], seq_off,
					  (uint32_t)sent);
			if (!err)
				sent++;
			sf_sleep_us(gap);
		}
	}
	printf("%lu\n", sent);
	close(fd);
	sf_frames_free(&fs);
	return err ? 1 : 0;
}

static int cmd_bin(int argc, char **argv)
{
	static struct sf_frames fs;
	const struct sf_frame *fr;
	bool strip = argc > 1 && !strcmp(argv[1], "-v");
	int a = strip ? 2 : 1, rc = 1;
	size_t skip = 0;
	FILE *out;

	if (argc - a != 3) {
		fprintf(stderr, "usage: sendframes bin [-v] FILE NAME OUT\n");
		return 2;
	}
	if (sf_frames_load(argv[a], &fs))
		return 1;
	fr = sf_find(&fs, argv[a + 1]);
	if (!fr)
		goto out;
	/* Outer tag: 802.1Q or 802.1ad TPID at offset 12, 4 bytes long. */
	if (strip && fr->len >= 18 && fr->data[12] == 0x81 &&
	    fr->data[13] == 0x00)
		skip = 4;
	if (strip && fr->len >= 18 && fr->data[12] == 0x88 &&
	    fr->data[13] == 0xa8)
		skip = 4;
	out = fopen(argv[a + 2], "wb");
	if (!out) {
		fprintf(stderr, "sendframes: %s: %s\n", argv[a + 2],
			strerror(errno));
		goto out;
	}
	if (fwrite(fr->data, 1, 12, out) != 12 ||
	    fwrite(fr->data + 12 + skip, 1, fr->len - 12 - skip, out) !=
		    fr->len - 12 - skip) {
		fprintf(stderr, "sendframes: %s: short write\n", argv[a + 2]);
		fclose(out);
		goto out;
	}
	rc = fclose(out) ? 1 : 0;
out:
	sf_frames_free(&fs);
	return rc;
}

static int cmd_list(int argc, char **argv)
{
	static struct sf_frames fs;

	if (argc != 2) {
		fprintf(stderr, "usage: sendframes list FILE\n");
		return 2;
	}
	if (sf_frames_load(argv[1], &fs))
		return 1;
	for (size_t i = 0; i < fs.n; i++)
		printf("%s\n", fs.f[i].name);
	sf_frames_free(&fs);
	return 0;
}

static int sf_open_rx(const char *ports, struct pollfd *pfd, int *ports_out)
{
	char buf[128], *tok, *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", ports);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		int fd, port = atoi(tok);

		if (n == SF_MAX_PORTS || port <= 0 || port > 65535) {
			fprintf(stderr, "sendframes: bad port '%s'\n", tok);
			goto fail;
		}
		int rcvbuf = 8 << 20;

		fd = socket(AF_INET, SOCK_DGRAM, 0);
		sin.sin_port = htons((uint16_t)port);
		/* A slow reader must not turn passed packets into "dropped"
		 * ones: a big buffer (root may force it past rmem_max). */
		if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE,
					  &rcvbuf, sizeof(rcvbuf)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				   sizeof(rcvbuf));
		if (fd < 0 || bind(fd, (struct sockaddr *)&sin,
				   sizeof(sin))) {
			fprintf(stderr, "sendframes: bind udp %d: %s\n", port,
				strerror(errno));
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		pfd[n].fd = fd;
		pfd[n].events = POLLIN;
		ports_out[n++] = port;
	}
	return n;
fail:
	while (n--)
		close(pfd[n].fd);
	return -1;
}

static int cmd_recv(int argc, char **argv)
{
	struct pollfd pfd[SF_MAX_PORTS];
	int port[SF_MAX_PORTS], n, c, idle = 3;
	const char *ports = NULL;

	while ((c = getopt(argc, argv, "p:t:")) != -1) {
		switch (c) {
		case 'p': ports = optarg; break;
		case 't': idle = atoi(optarg); break;
		default: return 2;
		}
	}
	if (!ports || idle <= 0) {
		fprintf(stderr, "usage: sendframes recv -p PORT[,PORT...] "
			"[-t SECONDS]\n");
		return 2;
	}
	n = sf_open_rx(ports, pfd, port);
	if (n <= 0)
		return 1;
	signal(SIGTERM, sf_on_signal);
	signal(SIGINT, sf_on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!sf_stop) {
		int r = poll(pfd, (nfds_t)n, idle * 1000);

		if (r == 0 || (r < 0 && errno != EINTR))
			break;
		for (int i = 0; r > 0 && i < n; i++) {
			uint8_t b[SF_MAX_LEN];
			uint32_t seq;

			if (!(pfd[i].revents & POLLIN))
				continue;
			if (recv(pfd[i].fd, b, sizeof(b), 0) < 4)
				continue;
			memcpy(&seq, b, 4);
			printf("%d %u\n", port[i], ntohl(seq));
		}
	}
	for (int i = 0; i < n; i++)
		close(pfd[i].fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "send", cmd_send },
		{ "bin", cmd_bin },
		{ "list", cmd_list },
		{ "recv", cmd_recv },
	};

	for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]);
	     i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "usage: sendframes send|bin|list|recv ...\n");
	return 2;
}

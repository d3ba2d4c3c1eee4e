/* Formatted output for programs: a small printf into a buffer, flushed through b_output (so STDOUT_SET applies). */
#include "bmlib.h"

struct sink {
	char *buf;
	size_t size;
	size_t len;
	int flush; /* 1: send to b_output when full */
};

static void put(struct sink *s, char c) {
	if (s->len + 1 >= s->size) {
		if (!s->flush) return;
		b_output(s->buf, s->len);
		s->len = 0;
	}
	s->buf[s->len++] = c;
}

static void put_num(struct sink *s, u64 v, int base, int upper, int neg, int width, char pad, int left) {
	char tmp[24];
	int n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg) tmp[n++] = '-';
	if (neg && pad == '0') { /* sign before zero padding */
		put(s, '-');
		n--;
		width--;
	}
	if (!left)
		for (int i = n; i < width; i++) put(s, pad);
	while (n) put(s, tmp[--n]);
	if (left)
		for (int i = n; i < width; i++) put(s, ' ');
}

static int format(struct sink *s, const char *fmt, va_list ap) {
	size_t total = 0;
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(s, *fmt);
			total++;
			continue;
		}
		fmt++;
		int left = 0, width = 0;
		char pad = ' ';
		for (;; fmt++) {
			if (*fmt == '-') left = 1;
			else if (*fmt == '0') pad = '0';
			else break;
		}
		while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') fmt++;
		size_t before = s->len;
		switch (*fmt) {
		case 'd':
		case 'i': {
			i64 v = va_arg(ap, i64);
			put_num(s, v < 0 ? -(u64)v : (u64)v, 10, 0, v < 0, width, pad, left);
			break;
		}
		case 'u': put_num(s, va_arg(ap, u64), 10, 0, 0, width, pad, left); break;
		case 'x': put_num(s, va_arg(ap, u64), 16, 0, 0, width, pad, left); break;
		case 'X': put_num(s, va_arg(ap, u64), 16, 1, 0, width, pad, left); break;
		case 'p':
			put(s, '0');
			put(s, 'x');
			put_num(s, (u64)va_arg(ap, void *), 16, 1, 0, 16, '0', 0);
			break;
		case 'c': put(s, (char)va_arg(ap, int)); break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str) str = "(null)";
			size_t n = strlen(str);
			if (!left)
				for (size_t i = n; i < (size_t)width; i++) put(s, ' ');
			while (*str) put(s, *str++);
			if (left)
				for (size_t i = n; i < (size_t)width; i++) put(s, ' ');
			break;
		}
		case '%': put(s, '%'); break;
		case 0: return (int)total;
		default:
			put(s, '%');
			put(s, *fmt);
			break;
		}
		total += s->len >= before ? s->len - before : s->len;
	}
	return (int)total;
}

int bm_printf(const char *fmt, ...) {
	char buf[256];
	struct sink s = { buf, sizeof buf, 0, 1 };
	va_list ap;
	va_start(ap, fmt);
	int n = format(&s, fmt, ap);
	va_end(ap);
	if (s.len) b_output(buf, s.len);
	return n;
}

int bm_snprintf(char *buf, size_t size, const char *fmt, ...) {
	struct sink s = { buf, size, 0, 0 };
	va_list ap;
	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	if (size) buf[s.len] = 0;
	return (int)s.len;
}

void print(const char *s) {
	b_output(s, strlen(s));
}

(function region(cpu, budget, pc0) {
  const s = cpu.i32, f = cpu.f64, dv = cpu.rdv, ram = cpu.ram, tR = cpu.tagR, tW = cpu.tagW, to = cpu.toff;
  const ip0 = f[192] - D[pc0];
  let r0 = s[0], h0 = s[1], r1 = s[2], h1 = s[3];
  let sse = (s[80] & 12) === 0 && (s[83] & 512) !== 0;
  let fop = 0, fsz = 0, fr = 0, frh = 0, fa = 0, fah = 0, fb = 0, fbh = 0, fcin = 0, fmask = 0, fcf = -1, fov = -1, fia = 0, fib = 0;
  let n = 0, pb = 0, pc = pc0, xr = 0, xa = 0, xb = 0, xv = 0, cur = 0, chk = 0, ea = 0, ua = 0, ub = 0, hit = false, pg = 0, ti = 0, po = 0, m = 0, mh = 0, t = 0, th = 0, u = 0, uh = 0;
  try {
    L: for (; ; ) {
      switch (pc) {
        case 0:
          B0: for (; ; ) {
            // 100000: add eax,ecx
            t = r0 + r1 | 0;
            r0 = t;
            h0 = 0;
            // 100002: xor eax,55h
            t = r0 ^ 85 | 0;
            fop = 4;
            fsz = 4;
            fr = t;
            frh = 0;
            fmask = 2261;
            fcf = -1;
            fov = -1;
            r0 = t;
            h0 = 0;
            // 100005: dec ecx
            t = r1 - 1 | 0;
            fcf = 0;
            fop = 6;
            fsz = 4;
            fr = t;
            frh = 0;
            fmask = 2260;
            fa = r1;
            fah = 0;
            fb = 1;
            fbh = 0;
            r1 = t;
            h1 = 0;
            // 100007: jne short 0000000000100000h
            if (!(fr === 0)) {
              n += 4;
              if (n >= budget) {
                xr = ip0 + 0;
                n += 0;
                break L;
              }
              continue B0;
            }
            n += 4;
            pc = 1;
            continue L;
          }
        case 1:
          // 100009: hlt
          s[0] = r0;
          s[1] = h0;
          s[2] = r1;
          s[3] = h1;
          if (fmask !== 0) {
            s[34] = fop;
            s[35] = fsz;
            s[36] = fr;
            s[37] = frh;
            s[38] = fa;
            s[39] = fah;
            s[40] = fb;
            s[41] = fbh;
            s[42] = fcin;
            s[33] = fmask;
            fmask = 0;
            if (fcf >= 0) {
              s[32] = s[32] & -2 | fcf;
            }
          }
          if (fov !== -1) {
            J.putFlags(s, 2049, fov === -2 ? fia * fib !== Math.imul(fia, fib) ? 2049 : 0 : fov);
            fov = -1;
          }
          f[192] = ip0 + 10;
          cur = 4;
          H[4](cpu, I[4]);
          return n + 1;
      }
      return n;
    }
    s[0] = r0;
    s[1] = h0;
    s[2] = r1;
    s[3] = h1;
    if (fmask !== 0) {
      s[34] = fop;
      s[35] = fsz;
      s[36] = fr;
      s[37] = frh;
      s[38] = fa;
      s[39] = fah;
      s[40] = fb;
      s[41] = fbh;
      s[42] = fcin;
      s[33] = fmask;
      fmask = 0;
      if (fcf >= 0) {
        s[32] = s[32] & -2 | fcf;
      }
    }
    if (fov !== -1) {
      J.putFlags(s, 2049, fov === -2 ? fia * fib !== Math.imul(fia, fib) ? 2049 : 0 : fov);
      fov = -1;
    }
    f[192] = xr;
    return n;
  } catch (e) {
    if (!(e instanceof J.CpuFault)) throw e;
    s[0] = r0;
    s[1] = h0;
    s[2] = r1;
    s[3] = h1;
    if (fmask !== 0) {
      s[34] = fop;
      s[35] = fsz;
      s[36] = fr;
      s[37] = frh;
      s[38] = fa;
      s[39] = fah;
      s[40] = fb;
      s[41] = fbh;
      s[42] = fcin;
      s[33] = fmask;
      fmask = 0;
      if (fcf >= 0) {
        s[32] = s[32] & -2 | fcf;
      }
    }
    if (fov !== -1) {
      J.putFlags(s, 2049, fov === -2 ? fia * fib !== Math.imul(fia, fib) ? 2049 : 0 : fov);
      fov = -1;
    }
    f[192] = ip0 + S[cur];
    cpu.jitFault = e;
    return n + R[cur];
  }
});

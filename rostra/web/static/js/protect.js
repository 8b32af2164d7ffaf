// The /protect page: fingerprint the chosen images on this device (pdq.js) and
// send only the fingerprints, as JSON. The file input has no name and sits
// outside the form, so no image can ever be submitted. Without this script the
// page explains why nothing can be computed and takes pasted fingerprints.
(function () {
  "use strict";
  var picker = document.getElementById("protect-picker");
  var form = document.getElementById("protect-form");
  if (!picker || !form) return;
  var status = document.getElementById("protect-status");
  var hash = window.RostraHash;
  if (!hash || !window.fetch || !window.createImageBitmap || !window.Promise) {
    picker.hidden = false;
    picker.querySelector(".field").hidden = true;
    status.textContent = "This browser cannot compute the fingerprints. Please use a recent " +
      "browser, or paste fingerprints computed elsewhere below.";
    return;
  }
  if (!(window.crypto && window.crypto.subtle)) {
    picker.hidden = false;
    picker.querySelector(".field").hidden = true;
    status.textContent = "Fingerprints can be computed only when this page is opened over a " +
      "secure (https) connection.";
    return;
  }

  var input = document.getElementById("protect-files");
  var table = document.getElementById("protect-table");
  var tbody = table.querySelector("tbody");
  var sendError = document.getElementById("protect-send-error");
  var result = document.getElementById("protect-result");
  var button = form.querySelector("button[type=submit]");
  var consent = form.querySelector("input[name=consent]");
  var max = parseInt(picker.getAttribute("data-max"), 10) || 50;
  var minQuality = parseInt(picker.getAttribute("data-min-quality"), 10) || 50;
  var computed = [];
  var busy = false;
  picker.hidden = false;

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (className) td.className = className;
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function fingerprintList(fp) {
    var dl = document.createElement("dl");
    [["SHA-256", fp.sha256], ["MD5", fp.md5], ["PDQ", fp.pdq]].forEach(function (pair) {
      var dt = document.createElement("dt");
      dt.textContent = pair[0];
      var dd = document.createElement("dd");
      var code = document.createElement("code");
      code.textContent = pair[1];
      dd.appendChild(code);
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    return dl;
  }

  function showRow(name, fp, problem) {
    var row = document.createElement("tr");
    var th = document.createElement("th");
    th.scope = "row";
    th.textContent = name;
    row.appendChild(th);
    if (problem) {
      var td = cell(row, problem + " It will not be sent.", "error");
      td.colSpan = 2;
    } else {
      cell(row, "").appendChild(fingerprintList(fp));
      cell(row, fp.quality >= minQuality ? String(fp.quality)
        : fp.quality + ": too plain to recognise by its look; exact copies only");
    }
    tbody.appendChild(row);
    table.hidden = false;
  }

  function setSendError(message) {
    sendError.textContent = message;
    sendError.hidden = !message;
  }

  function markConsent(invalid) {
    if (invalid) {
      consent.setAttribute("aria-invalid", "true");
      consent.setAttribute("aria-describedby", "protect-send-error");
    } else {
      consent.removeAttribute("aria-invalid");
      consent.removeAttribute("aria-describedby");
    }
  }

  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files || []);
    computed = [];
    tbody.textContent = "";
    table.hidden = true;
    setSendError("");
    if (!files.length) {
      status.textContent = "";
      return;
    }
    if (files.length > max) {
      status.textContent = "Choose at most " + max + " images at a time.";
      return;
    }
    busy = true;
    button.disabled = true;
    var done = 0;
    status.textContent = "Computing fingerprints on this device: 0 of " + files.length + "…";
    files.reduce(function (previous, file) {
      return previous.then(function () {
        return hash.hashFile(file).then(function (fp) {
          computed.push({ sha256: fp.sha256, md5: fp.md5, pdq: fp.pdq, quality: fp.quality });
          showRow(file.name, fp);
        }, function (error) {
          showRow(file.name, null, error && error.message ? error.message : "Could not read it.");
        }).then(function () {
          done += 1;
          status.textContent = "Computing fingerprints on this device: " + done + " of " +
            files.length + "…";
        });
      });
    }, Promise.resolve()).then(function () {
      busy = false;
      button.disabled = false;
      status.textContent = computed.length + " of " + files.length + " image" +
        (files.length === 1 ? "" : "s") + " fingerprinted. Nothing has been sent yet.";
    });
  });

  form.addEventListener("submit", function (event) {
    var pasted = form.querySelector("textarea[name=fingerprints]");
    if (!computed.length && !busy && pasted && pasted.value.trim()) return; // the plain form
    event.preventDefault();
    if (busy) {
      setSendError("Please wait until every image is fingerprinted.");
      return;
    }
    if (!computed.length) {
      setSendError("Choose at least one image first.");
      input.focus();
      return;
    }
    if (!consent.checked) {
      setSendError("Please confirm that the images show you, or the person who asked you to help.");
      markConsent(true);
      consent.focus();
      return;
    }
    markConsent(false);
    setSendError("");
    button.disabled = true;
    status.textContent = "Sending " + computed.length + " sets of fingerprints…";
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": token },
      body: JSON.stringify({ images: computed, consent: true }),
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      button.disabled = false;
      if (!answer.ok) {
        status.textContent = "";
        setSendError(answer.data.error || "The fingerprints were not accepted.");
        return;
      }
      // Forget the choice: the page keeps no trace of the images.
      computed = [];
      input.value = "";
      tbody.textContent = "";
      table.hidden = true;
      form.hidden = true;
      picker.hidden = true;
      status.textContent = "";
      result.innerHTML = answer.data.html;
      result.focus();
    }).catch(function () {
      button.disabled = false;
      status.textContent = "";
      setSendError("The fingerprints could not be sent. Check the connection and try again.");
    });
  });
})();

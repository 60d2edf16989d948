/** The password estimator's dictionaries, bundled with the UI (the server loads them on first use). */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { providePasswordEstimator } from '../shared/password-strength.ts';

providePasswordEstimator(() => new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs }));

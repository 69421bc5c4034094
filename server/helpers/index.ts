import eq from './eq';
import formatDate from './formatDate';
import formatDateTime from './formatDateTime';
import formatNumber from './formatNumber';
import roleLabel from './roleLabel';

export const helpers = { eq, formatDate, formatDateTime, formatNumber, roleLabel };
